"""Service records: the filed record of a finished job, never edited, only appended."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

import models
from resolvers import records
from schema.common import Connection, Info, connection


@strawberry.type
class ServiceRecordEntry:
    kind: str
    content: JSON
    created_at: datetime


@strawberry.type(description="The filed record of a finished job; never edited, only appended.")
class ServiceRecord:
    _record: strawberry.Private[models.ServiceRecord]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._record.id))

    @strawberry.field
    def job_id(self) -> strawberry.ID:
        return strawberry.ID(str(self._record.job_id))

    @strawberry.field
    def filed_at(self) -> datetime:
        return self._record.filed_at

    @strawberry.field(
        description="The snapshot filed with the customer's review: category, address, "
        "parties, accepted quote, status timeline, reviews, points earned."
    )
    def content(self) -> JSON:
        return JSON(self._record.content)

    @strawberry.field(description="What was appended after filing, oldest first.")
    async def entries(self) -> list[ServiceRecordEntry]:
        return [
            ServiceRecordEntry(kind=e.kind, content=JSON(e.content), created_at=e.created_at)
            for e in await records.entries(self._record)
        ]


@strawberry.type
class RecordsQuery:
    @strawberry.field(description="Service records of jobs you took part in, newest first.")
    async def service_records(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[ServiceRecord]:
        page = await records.list_records(info.context, first, after)
        return connection(
            page,
            lambda record: ServiceRecord(_record=record),
        )

    @strawberry.field
    async def service_record(self, info: Info, job_id: strawberry.ID) -> ServiceRecord:
        return ServiceRecord(_record=await records.get_record(info.context, job_id))
