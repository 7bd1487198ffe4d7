"""What an operator's Prometheus would see of a bench run: the server's `GET /metrics` scraped
before and after, and the change in between as a table.

The fan-out latency histogram (`fixhub_fanout_latency_seconds`, publish -> result queued on the
socket) is summarised per channel kind by its count, sum and mean, and p50/p99 estimated from
its buckets the way PromQL's `histogram_quantile` does (linear inside the bucket the rank falls
in), next to the events published and delivered in the same interval.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import httpx
from prometheus_client.parser import text_string_to_metric_families

FANOUT = "fixhub_fanout_latency_seconds"
PUBLISHED = "fixhub_events_published"
DELIVERED = "fixhub_events_delivered"


@dataclass
class Histogram:
    count: float = 0.0
    sum: float = 0.0
    buckets: dict[float, float] = field(default_factory=dict)  # upper bound -> cumulative count

    def minus(self, earlier: Histogram) -> Histogram:
        return Histogram(
            self.count - earlier.count,
            self.sum - earlier.sum,
            {le: n - earlier.buckets.get(le, 0.0) for le, n in self.buckets.items()},
        )

    def quantile(self, q: float) -> float:
        """histogram_quantile(q): NaN without observations; the highest finite bound when the
        rank falls in the +Inf bucket."""
        bounds = sorted(self.buckets)
        if not bounds or self.count <= 0:
            return math.nan
        rank = q * self.buckets[bounds[-1]]
        lower_bound, lower_count = 0.0, 0.0
        for bound in bounds:
            count = self.buckets[bound]
            if count >= rank:
                if math.isinf(bound):
                    return lower_bound
                if count == lower_count:
                    return bound
                return lower_bound + (bound - lower_bound) * (rank - lower_count) / (
                    count - lower_count
                )
            lower_bound, lower_count = bound, count
        return lower_bound


@dataclass
class Snapshot:
    """The fan-out histograms and the event counters of one scrape, by channel kind."""

    fanout: dict[str, Histogram] = field(default_factory=lambda: defaultdict(Histogram))
    published: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    delivered: dict[str, float] = field(default_factory=lambda: defaultdict(float))


def parse(text: str) -> Snapshot:
    snapshot = Snapshot()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            channel = sample.labels.get("channel", "")
            if sample.name == f"{FANOUT}_bucket":
                snapshot.fanout[channel].buckets[float(sample.labels["le"])] = sample.value
            elif sample.name == f"{FANOUT}_count":
                snapshot.fanout[channel].count = sample.value
            elif sample.name == f"{FANOUT}_sum":
                snapshot.fanout[channel].sum = sample.value
            elif sample.name == f"{PUBLISHED}_total":
                snapshot.published[channel] = sample.value
            elif sample.name == f"{DELIVERED}_total":
                snapshot.delivered[channel] = sample.value
    return snapshot


async def scrape(base_url: str) -> Snapshot:
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.get(f"{base_url}/metrics")
        response.raise_for_status()
        return parse(response.text)


def _ms(seconds: float) -> str:
    return "-" if math.isnan(seconds) else f"{seconds * 1000:.1f}"


def table(before: Snapshot, after: Snapshot) -> str:
    """One row per channel kind that saw traffic between the two scrapes."""
    channels = sorted(
        set(after.fanout) | set(after.published) | set(after.delivered),
    )
    width = max([len("channel"), *(len(channel) for channel in channels)]) + 2
    header = (
        f"{'channel':<{width}}{'fan-out count':>14}{'(before->after)':>18}{'sum s':>9}"
        f"{'mean ms':>9}{'p50 ms':>8}{'p99 ms':>8}{'published':>11}{'delivered':>11}"
    )
    lines = [header]
    for channel in channels:
        then, now = before.fanout.get(channel, Histogram()), after.fanout.get(channel, Histogram())
        moved = now.minus(then)
        published = after.published.get(channel, 0) - before.published.get(channel, 0)
        delivered = after.delivered.get(channel, 0) - before.delivered.get(channel, 0)
        if moved.count == 0 and published == 0 and delivered == 0:
            continue
        mean = moved.sum / moved.count if moved.count else math.nan
        lines.append(
            f"{channel:<{width}}{moved.count:>14,.0f}{f'{then.count:,.0f}->{now.count:,.0f}':>18}"
            f"{moved.sum:>9.2f}{_ms(mean):>9}{_ms(moved.quantile(0.5)):>8}"
            f"{_ms(moved.quantile(0.99)):>8}{published:>11,.0f}{delivered:>11,.0f}"
        )
    if len(lines) == 1:
        lines.append("(no events between the two scrapes)")
    return "\n".join(lines)
