"""bench/metrics_scrape.py reads fixhub's /metrics text as Prometheus would: the change of the
fan-out histogram between two scrapes, and its quantiles estimated from the buckets the way
PromQL's histogram_quantile does, so the table a bench prints is what a dashboard would show."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "metrics_scrape.py"


def _module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_metrics_scrape", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


scrape = _module()


def _registry() -> tuple[CollectorRegistry, Histogram, Counter, Counter]:
    """The same metric names, labels and buckets as metrics.py."""
    registry = CollectorRegistry()
    fanout = Histogram(
        "fixhub_fanout_latency_seconds",
        "fan-out",
        ["channel"],
        buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
        registry=registry,
    )
    published = Counter("fixhub_events_published", "p", ["channel"], registry=registry)
    delivered = Counter("fixhub_events_delivered", "d", ["channel"], registry=registry)
    return registry, fanout, published, delivered


def test_the_change_between_two_scrapes_is_what_happened_in_between() -> None:
    registry, fanout, published, delivered = _registry()
    for _ in range(50):  # before the run: fast deliveries that must not count
        fanout.labels("jobs:matched").observe(0.0005)
    before = scrape.parse(generate_latest(registry).decode())
    published.labels("jobs:matched").inc(3)
    for seconds in [0.02] * 90 + [0.4] * 10:
        fanout.labels("jobs:matched").observe(seconds)
        delivered.labels("jobs:matched").inc()
    after = scrape.parse(generate_latest(registry).decode())

    moved = after.fanout["jobs:matched"].minus(before.fanout["jobs:matched"])
    assert moved.count == 100
    assert math.isclose(moved.sum, 90 * 0.02 + 10 * 0.4)
    # 90 observations in (0.01, 0.025]: the median is interpolated inside that bucket,
    # p99 inside (0.25, 0.5], exactly as histogram_quantile would place them.
    assert math.isclose(moved.quantile(0.5), 0.01 + 0.015 * 50 / 90)
    assert math.isclose(moved.quantile(0.99), 0.25 + 0.25 * 9 / 10)
    table = scrape.table(before, after)
    assert table.splitlines()[1].split()[:4] == ["jobs:matched", "100", "50->150", "5.80"]
    assert table.splitlines()[1].split()[-2:] == ["3", "100"]


def test_no_observation_gives_no_quantile_and_says_so() -> None:
    registry, *_ = _registry()
    snapshot = scrape.parse(generate_latest(registry).decode())
    assert math.isnan(scrape.Histogram().quantile(0.5))
    assert "no events between the two scrapes" in scrape.table(snapshot, snapshot)


def test_a_rank_past_the_last_finite_bucket_reports_that_bound() -> None:
    histogram = scrape.Histogram(count=4, sum=40, buckets={1.0: 1, 2.5: 1, math.inf: 4})
    assert histogram.quantile(0.99) == 2.5
