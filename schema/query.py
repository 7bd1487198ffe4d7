"""Root query fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import strawberry

from errors import NotFound
from resolvers import jobs
from resolvers.jobs import parse_id
from resolvers.pagination import Page
from schema.enums import JobStatus
from schema.types import (
    Info,
    Job,
    JobConnection,
    JobEdge,
    Match,
    MatchConnection,
    MatchEdge,
    PageInfo,
    User,
    Worker,
    load_worker,
)

C = TypeVar("C")
T = TypeVar("T")


def page_info(page: Page) -> PageInfo:
    return PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor)


def connection(
    connection_type: Callable[..., C],
    edge_type: Callable[..., Any],
    page: Page[T],
    node: Callable[[T], Any],
) -> C:
    """A Relay-style connection of one page: each item wrapped by `node`, with its cursor."""
    return connection_type(
        edges=[
            edge_type(cursor=cursor, node=node(item))
            for item, cursor in zip(page.items, page.cursors, strict=True)
        ],
        page_info=page_info(page),
    )


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in user, or null when anonymous.")
    def me(self, info: Info) -> User | None:
        viewer = info.context.viewer
        return User.from_model(viewer) if viewer else None

    @strawberry.field(
        description="The currency (ISO 4217) new jobs and projects are priced in, from the "
        "server's CURRENCY setting; every amount is integer cents of its own currency field."
    )
    def currency(self, info: Info) -> str:
        return info.context.settings.currency

    @strawberry.field(description="A job you posted, were matched to, quoted for or were hired on.")
    async def job(self, info: Info, id: strawberry.ID) -> Job | None:
        return Job.from_model(await jobs.get_job(info.context, id))

    @strawberry.field(
        description="Customers: the jobs you posted. Workers: the jobs you were hired on. "
        "Newest first."
    )
    async def my_jobs(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        status: JobStatus | None = None,
    ) -> JobConnection:
        page = await jobs.my_jobs(info.context, first, after, status)
        return connection(JobConnection, JobEdge, page, Job.from_model)

    @strawberry.field(description="Workers: the jobs you were matched to, with the reasons.")
    async def my_matched_jobs(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        status: JobStatus | None = None,
    ) -> MatchConnection:
        page = await jobs.my_matched_jobs(info.context, first, after, status)
        return connection(MatchConnection, MatchEdge, page, Match.from_model)

    @strawberry.field(description="A worker's public profile.")
    async def worker(self, info: Info, id: strawberry.ID) -> Worker | None:
        try:
            user_id = parse_id(id, "Worker")
        except NotFound:
            return None
        worker = await load_worker(info, user_id)
        if worker is None or worker._user.role.value != "WORKER":
            return None
        return worker
