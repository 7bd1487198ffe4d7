"""Subscription fan-out: one bus subscription per channel per process, one execution per
event per distinct selection, one serialised payload written to every socket that shares it.

Subscribers of a channel are grouped by (document, operation, variables). For each event the
group's selection runs once with the first member's viewer in a fresh context. If no resolver
looked at the viewer, the result is the same for everyone and is shared; otherwise the
selection runs once per distinct viewer in the group. Permission to join was decided before
joining (resolvers.policy via the SubscriptionSpec).

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

log = logging.getLogger("fixhub.fanout")

GroupKey = tuple[str, str | None, str]


@dataclass(eq=False)
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
    prepared: Prepared
    operation_name: str | None
    variables: dict[str, Any] | None
    members: list[Member] = field(default_factory=list)


@dataclass(eq=False)
class ChannelState:
    spec: SubscriptionSpec
    groups: dict[GroupKey, Group] = field(default_factory=dict)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None
    failure: BaseException | None = None
    # The highest outbox position this channel has seen (see the module docstring).
    last_position: int = 0


class Hub:
    def __init__(self, bus: Bus, engine: Engine, base_context: Callable[[User | None], Context]):
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
        group.members.append(member)
        metrics.SUBSCRIPTIONS.labels(_field_of(spec)).inc()
        await state.ready.wait()
        if state.failure is not None:
            self.leave(channel, member)
            raise state.failure

    def leave(self, channel: str, member: Member) -> None:
        state = self._channels.get(channel)
        if state is None:
            return
        for key, group in list(state.groups.items()):
            if member in group.members:
                group.members.remove(member)
                metrics.SUBSCRIPTIONS.labels(_field_of(state.spec)).dec()
                if not group.members:
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
                        secret = self._context(None).settings.secret_key
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
        for group in list(state.groups.values()):
            await self._dispatch(state.spec, group, event, kind)

    def _fail(self, channel: str, state: ChannelState, message: str) -> None:
        if self._channels.get(channel) is state:
            del self._channels[channel]
        for group in state.groups.values():
            for member in group.members:
                metrics.SUBSCRIPTIONS.labels(_field_of(state.spec)).dec()
                member.end(message)
        state.groups.clear()

    async def _dispatch(
        self, spec: SubscriptionSpec, group: Group, event: Event, kind: str
    ) -> None:
        members = list(group.members)
        if spec.audience is not None:
            audience = spec.audience(event)
            members = [m for m in members if spec.admits(m.user, audience)]
        if not members:
            return
        with tracing.deliver_span(kind, event.trace, len(members)):
            await self._run_for(spec, group, event, kind, members)

    async def _run_for(
        self, spec: SubscriptionSpec, group: Group, event: Event, kind: str, members: list[Member]
    ) -> None:
        # Rows read for this event are the same whoever asks: one loader cache for all runs.
        loaders = Loaders()
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
        viewers = {_viewer_key(member.user): member.user for member in members}
        first_key = _viewer_key(first.user)
        others = [key for key in viewers if key != first_key]
        results = await asyncio.gather(
            *(self._run(spec, group, event, viewers[key], loaders) for key in others)
        )
        by_viewer = {first_key: payload} | {
            key: result for key, (result, _) in zip(others, results, strict=True)
        }
        for member in members:
            member_payload = by_viewer[_viewer_key(member.user)]
            if member_payload is not None:
                self._deliver(group, member, event, member_payload, kind)

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
        context = self._context(user)
        context.loaders = loaders
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
        formatted = self._engine.format_result(result, context.request_id)
        if event.cursor is not None:
            # Where to resume from: `after` of any subscription (resolvers/outbox.py).
            formatted["extensions"] = {"cursor": event.cursor}
        return json.dumps(formatted, separators=(",", ":")), context.viewer_used


def _viewer_key(user: User | None) -> int | None:
    return user.id if user is not None else None


# The Subscription root field each spec serves (the metrics' label), by the spec's identity.
_FIELDS = {id(spec): name for name, spec in SPECS.items()}


def _field_of(spec: SubscriptionSpec) -> str:
    return _FIELDS.get(id(spec), "other")
