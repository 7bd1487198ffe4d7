"""What every domain's schema uses: the Info type, pages as Relay-style connections, the
public views of a person (Participant, Customer), geo points and the subscription spec."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

import strawberry

import models
from models import User
from realtime.events import Event
from resolvers.context import Context
from resolvers.pagination import Page

# Plain strawberry.Info: its context is always a resolvers.context.Context.
Info = strawberry.Info


@strawberry.type
class GeoPoint:
    lat: float
    lng: float


@strawberry.input
class GeoPointInput:
    lat: float
    lng: float


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


Row = TypeVar("Row")
Node = TypeVar("Node")


def page_info(page: Page[Any]) -> PageInfo:
    return PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor)


# Relay-style pages. Strawberry names each use after its node: Edge[Job] is JobEdge and
# Connection[Job] is JobConnection in the SDL.
@strawberry.type
class Edge(Generic[Node]):
    cursor: str
    node: Node


@strawberry.type
class Connection(Generic[Node]):
    edges: list[Edge[Node]]
    page_info: PageInfo


def connection(page: Page[Row], node: Callable[[Row], Node]) -> Connection[Node]:
    """One page as a connection: each row wrapped by `node`, with its cursor."""
    return Connection(
        edges=[
            Edge(cursor=cursor, node=node(item))
            for item, cursor in zip(page.items, page.cursors, strict=True)
        ],
        page_info=page_info(page),
    )


@strawberry.type(description="Who wrote a message: only what the other party may see.")
class Participant:
    id: strawberry.ID
    display_name: str

    @classmethod
    def from_model(cls, user: models.User) -> Participant:
        return cls(id=strawberry.ID(str(user.id)), display_name=user.display_name)


# Shown by jobs, messages and reviews alike: what other parties see of a customer.
@strawberry.type(description="What other parties see of a customer.")
class Customer:
    id: strawberry.ID
    display_name: str
    rating_count: int = strawberry.field(description="Reviews of this customer by workers.")
    rating_average: float | None = strawberry.field(
        description="Average of the workers' ratings (1-5); shown to workers deciding whether "
        "to quote. Null before any."
    )

    @classmethod
    def from_model(cls, user: models.User) -> Customer:
        count = user.customer_rating_count
        return cls(
            id=strawberry.ID(str(user.id)),
            display_name=user.display_name,
            rating_count=count,
            rating_average=round(user.customer_rating_sum / count, 2) if count else None,
        )


DateTimeArg = Annotated[datetime, strawberry.argument(description="ISO 8601 with a timezone")]

RESUME_DESCRIPTION = (
    "Resume after this cursor: the `cursor` in the `extensions` of the last `next` payload "
    "you received (every event of every subscription carries one), or `eventCursor` read "
    "before you started. Everything this subscription would have delivered after it is "
    "replayed first (with the same permission checks as live), then it continues live: no "
    "duplicate, no gap. Refused with BAD_USER_INPUT when it was not issued by this server, "
    "when it is older than the retention window (OUTBOX_RETENTION_SECONDS, a day by default) "
    "or when more than 1000 events followed it: reload with the queries, then subscribe "
    "without `after`."
)
# `after` of the subscriptions that had no replay before the outbox.
ResumeCursor = Annotated[str | None, strawberry.argument(description=RESUME_DESCRIPTION)]


@dataclass(frozen=True)
class SubscriptionSpec:
    # (context, GraphQL arguments by their GraphQL names) -> channel; raises DomainError.
    channel: Callable[[Context, dict[str, Any]], Awaitable[str]]
    # (fresh per-event context, event) -> root value, or None to skip the event.
    root: Callable[[Context, Event], Awaitable[Any]]
    # Optional replay-then-live: (context, arguments) -> what was stored after the client's
    # cursor, oldest first, as (event id, root value). Live events whose id was replayed are
    # dropped (web/replay.py).
    replay: Callable[[Context, dict[str, Any]], Awaitable[list[tuple[int, Any]]]] | None = None
    # Optional: the user ids one event may reach (for channels shared by many users, or whose
    # followers change over time); the fan-out delivers to no one else...
    # (None from the function: this event is not restricted.)
    audience: Callable[[Event], frozenset[int] | None] | None = None
    # ...except users of these roles, who receive every event of a channel they were allowed
    # to join (ADMIN following any project).
    audience_roles: frozenset[str] = frozenset()
    # Fields of the root type whose value depends on who asks (`Job.myMatch`): the fan-out runs
    # the rest of a selection once per event and only these per recipient (web/split.py). It
    # decides speed only: a shared part that reads the viewer is detected and run per viewer.
    per_viewer: frozenset[str] = frozenset()

    def admits(self, user: User | None, audience: frozenset[int] | None) -> bool:
        """May `user` receive an event whose audience (from `self.audience`) is `audience`?"""
        if audience is None:
            return True
        return user is not None and (user.id in audience or user.role in self.audience_roles)


class ServedByTheFanout(RuntimeError):
    """Raised by every subscription field's own resolver: never reached in fixhub.

    The subscription fields are declared here for their types, arguments and descriptions, but
    executed by web/fanout.py from SPECS: one bus subscription per channel per process, and one
    execution per event for every subscriber of the same selection. graphql-core's own
    `subscribe` (strawberry's subscription path) would run one bus subscription and one
    execution per subscriber, so fixhub never takes it.
    """

    def __init__(self, field: str) -> None:
        super().__init__(f"Subscription.{field} is executed by web/fanout.py from SPECS.")
