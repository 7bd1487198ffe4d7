"""Subscription fan-out: one bus subscription per channel per process, one execution per
event per distinct selection, one serialised payload written to every socket that shares it.

Subscribers of a channel are grouped by (document, operation, variables), and within a group
indexed by user id: an event that names its recipients (SubscriptionSpec.audience, e.g. the
workers a job was matched to) reaches its candidates by lookup, so it costs the members it
names, not every member of the channel. `SubscriptionSpec.admits` still decides, for each
candidate, whether it may receive the event.

For each event the group's selection runs once with the first recipient's viewer in a fresh
context. If no resolver looked at the viewer, the result is the same for everyone and is
shared; otherwise the selection runs once per distinct viewer in the group. A selection with
fields the subscription declares viewer-dependent (SubscriptionSpec.per_viewer) is split
(web/split.py): the rest runs once, those fields once per viewer. Permission to join was
decided before joining (resolvers.policy via the SubscriptionSpec).

Events from the outbox carry their position (resolvers/outbox.py). Each channel's events are
published in position order, so an event at or below the last position a channel delivered is
a duplicate (republished by a relay that died before marking it, or published before the
channel joined) and is dropped; after the bus lost and re-established its subscription, the
channel catches up from the outbox from its last position, so nothing published meanwhile
is missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import metrics
import tracing
from models import User
from realtime import Bus, SubscriberTooSlow
from realtime.bus import RESUBSCRIBED
from realtime.events import Event
from resolvers import outbox
from resolvers.context import Context
from resolvers.loaders import Loaders
from schema import SPECS, SubscriptionSpec
from web.engine import Engine, Prepared
from web.split import SplitPlan

log = logging.getLogger("fixhub.fanout")

GroupKey = tuple[str, str | None, str]


@dataclass(eq=False, slots=True)
class Member:
    """One subscription operation of one socket."""

    user: User | None
    # Called with the event id and the serialised ExecutionResult; returns False if the
    # socket fell behind.
    deliver: Callable[[int, str], bool]
    # Called once if the hub must end this subscription (e.g. the channel failed).
    end: Callable[[str], None]
    # `deliver` receives the event's outbox position instead of its id (when it has one): for
    # a replay from an outbox cursor, which deduplicates by position.
    keyed_by_position: bool = False


@dataclass(eq=False)
class Group:
    """The members of one channel that share a selection, indexed for events that name their
    recipients: such an event (job.matched names ~20 of the 1,000 matchingJobs subscribers)
    touches only the members it names, never every member of the channel."""

    prepared: Prepared
    operation_name: str | None
    variables: dict[str, Any] | None
    # Every member, in joining order (a dict as an ordered set: O(1) removal and lookup).
    members: dict[Member, None] = field(default_factory=dict)
    # The same members by user id, for events with an audience (SubscriptionSpec.audience)...
    by_user: dict[int, dict[Member, None]] = field(default_factory=dict)
    # ...except those whose role receives every event of the channel (audience_roles).
    privileged: dict[Member, None] = field(default_factory=dict)
    # How the selection runs per event: shared part once, viewer's part per viewer (web/split.py).
    plan: SplitPlan | None = None

    def add(self, spec: SubscriptionSpec, member: Member) -> None:
        self.members[member] = None
        user = member.user
        if user is None:
            return  # no audience admits an anonymous member: only unrestricted events reach it
        if user.role in spec.audience_roles:
            self.privileged[member] = None
        else:
            self.by_user.setdefault(user.id, {})[member] = None

    def remove(self, member: Member) -> None:
        del self.members[member]
        self.privileged.pop(member, None)
        if member.user is not None:
            bucket = self.by_user.get(member.user.id)
            if bucket is not None:
                bucket.pop(member, None)
                if not bucket:
                    del self.by_user[member.user.id]

    def recipients(self, spec: SubscriptionSpec, audience: frozenset[int] | None) -> list[Member]:
        """The members an event with `audience` may reach. Whether each one may is still
        decided by `spec.admits`, for the few candidates the index yields."""
        if audience is None:
            return list(self.members)
        candidates = list(self.privileged)
        if len(audience) <= len(self.by_user):
            for user_id in audience:
                bucket = self.by_user.get(user_id)
                if bucket:
                    candidates.extend(bucket)
        else:
            for user_id, bucket in self.by_user.items():
                if user_id in audience:
                    candidates.extend(bucket)
        return [member for member in candidates if spec.admits(member.user, audience)]


@dataclass(eq=False)
class ChannelState:
    spec: SubscriptionSpec
    groups: dict[GroupKey, Group] = field(default_factory=dict)
    # Which group each member is in, so that leaving is O(1) whatever the channel's size.
    group_of: dict[Member, Group] = field(default_factory=dict)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None
    failure: BaseException | None = None
    # The highest outbox position this channel has seen (see the module docstring).
    last_position: int = 0


class Hub:
    def __init__(
        self, bus: Bus, engine: Engine, base_context: Callable[[User | None, Loaders], Context]
    ):
        self._bus = bus
        self._engine = engine
        self._context = base_context
        self._channels: dict[str, ChannelState] = {}

    async def join(
        self,
        channel: str,
        spec: SubscriptionSpec,
        prepared: Prepared,
        query: str,
        operation_name: str | None,
        variables: dict[str, Any] | None,
        member: Member,
    ) -> None:
        """Add a member; returns once the channel is live on the bus."""
        state = self._channels.get(channel)
        if state is None:
            state = ChannelState(spec=spec)
            self._channels[channel] = state
            state.task = asyncio.create_task(self._pump(channel, state), name=f"fanout {channel}")
        key: GroupKey = (
            query,
            operation_name,
            json.dumps(variables, sort_keys=True, separators=(",", ":")) if variables else "",
        )
        group = state.groups.get(key)
        if group is None:
            group = state.groups[key] = Group(prepared, operation_name, variables)
            group.plan = SplitPlan.of(spec, prepared, operation_name)
        group.add(spec, member)
        state.group_of[member] = group
        metrics.SUBSCRIPTIONS.labels(_field_of(spec)).inc()
        await state.ready.wait()
        if state.failure is not None:
            self.leave(channel, member)
            raise state.failure

    def leave(self, channel: str, member: Member) -> None:
        state = self._channels.get(channel)
        if state is None:
            return
        group = state.group_of.pop(member, None)
        if group is not None:
            group.remove(member)
            metrics.SUBSCRIPTIONS.labels(_field_of(state.spec)).dec()
            if not group.members:
                for key, candidate in list(state.groups.items()):
                    if candidate is group:
                        del state.groups[key]
        if not state.groups:
            del self._channels[channel]
            if state.task is not None:
                state.task.cancel()

    async def close(self) -> None:
        for state in self._channels.values():
            held = sum(len(group.members) for group in state.groups.values())
            metrics.SUBSCRIPTIONS.labels(_field_of(state.spec)).dec(held)
        tasks = [state.task for state in self._channels.values() if state.task is not None]
        self._channels.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @property
    def channel_count(self) -> int:
        return len(self._channels)

    async def _pump(self, channel: str, state: ChannelState) -> None:
        kind = metrics.channel_kind(channel)
        try:
            # Read before subscribing: what is at or below it was committed before this channel
            # joined (a subscriber's replay covers it), everything above arrives live.
            state.last_position = await outbox.latest_position()
            async with self._bus.subscribe(channel, notify_resubscribed=True) as subscription:
                state.ready.set()
                async for raw in subscription:
                    if raw == RESUBSCRIBED:
                        secret = self._context(None, Loaders()).settings.secret_key
                        for missed in await outbox.rows_after(secret, channel, state.last_position):
                            await self._on_event(state, missed, kind)
                        continue
                    try:
                        event = Event.decode(raw)
                    except (ValueError, KeyError):
                        log.warning("dropping malformed event on %s: %.200s", channel, raw)
                        continue
                    await self._on_event(state, event, kind)
            # The bus ended the stream (it disconnected): nothing will arrive any more, so
            # end the subscriptions rather than leave them silently dead.
            self._fail(channel, state, "The event stream ended; subscribe again.")
        except asyncio.CancelledError:
            raise
        except SubscriberTooSlow:
            metrics.SLOW_SUBSCRIBERS.inc(sum(len(g.members) for g in state.groups.values()))
            self._fail(channel, state, "This subscription fell too far behind and was ended.")
        except Exception as error:
            log.exception("subscription channel %s failed", channel)
            state.failure = error
            self._fail(channel, state, "The event stream failed; subscribe again.")
        finally:
            state.ready.set()

    async def _on_event(self, state: ChannelState, event: Event, kind: str) -> None:
        if event.position is not None:
            if event.position <= state.last_position:
                return
            state.last_position = event.position
        audience = state.spec.audience(event) if state.spec.audience else None
        for group in list(state.groups.values()):
            await self._dispatch(state.spec, group, event, audience, kind)

    def _fail(self, channel: str, state: ChannelState, message: str) -> None:
        if self._channels.get(channel) is state:
            del self._channels[channel]
        for group in state.groups.values():
            for member in list(group.members):
                metrics.SUBSCRIPTIONS.labels(_field_of(state.spec)).dec()
                member.end(message)
        state.groups.clear()
        state.group_of.clear()

    async def _dispatch(
        self,
        spec: SubscriptionSpec,
        group: Group,
        event: Event,
        audience: frozenset[int] | None,
        kind: str,
    ) -> None:
        members = group.recipients(spec, audience)
        if not members:
            return
        with tracing.deliver_span(kind, event.trace, len(members)):
            await self._run_for(spec, group, event, kind, members)

    async def _run_for(
        self, spec: SubscriptionSpec, group: Group, event: Event, kind: str, members: list[Member]
    ) -> None:
        # Rows read for this event are the same whoever asks: one loader cache for all runs.
        loaders = Loaders()
        viewers = {_viewer_key(member.user): member.user for member in members}
        if group.plan is not None and len(viewers) > 1:
            by_viewer = await self._run_split(spec, group, group.plan, event, viewers, loaders)
            if by_viewer is not None:
                for member in members:
                    split_payload = by_viewer.get(_viewer_key(member.user))
                    if split_payload is not None:
                        self._deliver(group, member, event, split_payload, kind)
                return
            # The part declared shared read the viewer: run this selection whole from now on.
            log.info("selection of %s reads the viewer outside %s", event.type, spec.per_viewer)
            group.plan = None
        first = members[0]
        payload, viewer_used = await self._run(spec, group, event, first.user, loaders)
        if payload is None:
            return
        if not viewer_used:
            for member in members:
                self._deliver(group, member, event, payload, kind)
            return
        # The selection depends on who asks: run it once per distinct viewer, concurrently so
        # the viewers' loads batch into one query per relation.
        first_key = _viewer_key(first.user)
        others = [key for key in viewers if key != first_key]
        results = await asyncio.gather(
            *(self._run(spec, group, event, viewers[key], loaders) for key in others)
        )
        payloads = {first_key: payload} | {
            key: result for key, (result, _) in zip(others, results, strict=True)
        }
        for member in members:
            member_payload = payloads[_viewer_key(member.user)]
            if member_payload is not None:
                self._deliver(group, member, event, member_payload, kind)

    async def _run_split(
        self,
        spec: SubscriptionSpec,
        group: Group,
        plan: SplitPlan,
        event: Event,
        viewers: dict[int | None, User | None],
        loaders: Loaders,
    ) -> dict[int | None, str] | None:
        """The payload per viewer from one run of the shared part and one run of the viewer's
        part per viewer (web/split.py); None if the shared part turned out to read the viewer.
        An event whose root is gone maps every viewer to nothing."""
        context = self._context(next(iter(viewers.values())), loaders)
        try:
            root = await spec.root(context, event)
        except Exception:
            log.exception("loading event %s %s failed", event.type, event.id)
            return {}
        if context.viewer_used:
            return None
        if root is None:
            return {}
        shared = await self._engine.execute(
            plan.shared,
            context=context,
            variables=group.variables,
            operation_name=group.operation_name,
            root_value=root,
        )
        if context.viewer_used:
            return None

        async def for_viewer(user: User | None) -> str:
            mine = self._context(user, loaders)
            result = await self._engine.execute(
                plan.per_viewer,
                context=mine,
                variables=group.variables,
                operation_name=group.operation_name,
                root_value=root,
            )
            return self._encode(plan.merge(shared, result), mine, event)

        payloads = await asyncio.gather(*(for_viewer(user) for user in viewers.values()))
        return dict(zip(viewers, payloads, strict=True))

    def _deliver(self, group: Group, member: Member, event: Event, payload: str, kind: str) -> None:
        if member not in group.members:
            return
        key = event.position if member.keyed_by_position and event.position else event.id
        if not member.deliver(key, payload):
            metrics.SLOW_SUBSCRIBERS.inc()
            member.end("This subscription fell too far behind and was ended.")
            return
        metrics.DELIVERIES.labels(kind).inc()
        elapsed = metrics.since(event.published_at)
        if elapsed is not None:
            metrics.FANOUT_SECONDS.labels(kind).observe(elapsed)

    async def _run(
        self,
        spec: SubscriptionSpec,
        group: Group,
        event: Event,
        user: User | None,
        loaders: Loaders,
    ) -> tuple[str | None, bool]:
        context = self._context(user, loaders)
        try:
            root = await spec.root(context, event)
        except Exception:
            log.exception("loading event %s %s failed", event.type, event.id)
            return None, False
        if root is None:
            return None, context.viewer_used
        result = await self._engine.execute(
            group.prepared,
            context=context,
            variables=group.variables,
            operation_name=group.operation_name,
            root_value=root,
        )
        return self._encode(result, context, event), context.viewer_used

    def _encode(self, result: Any, context: Context, event: Event) -> str:
        """The `next` payload of one run, whole or split: the result, and the event's cursor."""
        formatted = self._engine.format_result(result, context.request_id)
        if event.cursor is not None:
            # Where to resume from: `after` of any subscription (resolvers/outbox.py).
            formatted["extensions"] = {"cursor": event.cursor}
        return json.dumps(formatted, separators=(",", ":"))


def _viewer_key(user: User | None) -> int | None:
    return user.id if user is not None else None


# The Subscription root field each spec serves (the metrics' label), by the spec's identity.
_FIELDS = {id(spec): name for name, spec in SPECS.items()}


def _field_of(spec: SubscriptionSpec) -> str:
    return _FIELDS.get(id(spec), "other")
