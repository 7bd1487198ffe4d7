"""Filed project records: listing them, reading one, and verifying a record's hash."""

from __future__ import annotations

import json
from datetime import datetime

import strawberry
from strawberry.scalars import JSON

import models
from resolvers import filing
from schema.common import Info, Participant
from schema.enums import RecordKind


@strawberry.type(
    description="A filed record: numbered, hashed, never edited. A change files a new version "
    "that supersedes this one."
)
class ProjectRecord:
    _record: strawberry.Private[models.ProjectRecord]

    @classmethod
    def from_model(cls, record: models.ProjectRecord) -> ProjectRecord:
        return cls(_record=record)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._record.id))

    @strawberry.field
    def kind(self) -> RecordKind:
        return self._record.kind

    @strawberry.field(description="Unique filing number, P<project>-<sequence>.")
    def filing_number(self) -> str:
        return self._record.filing_number

    @strawberry.field(description='Which document this is a version of, e.g. "design".')
    def subject(self) -> str:
        return self._record.subject

    @strawberry.field
    def version(self) -> int:
        return self._record.version

    @strawberry.field(description="The id of the version this one replaces, if any.")
    def supersedes_id(self) -> strawberry.ID | None:
        ident = self._record.supersedes_id
        return strawberry.ID(str(ident)) if ident is not None else None

    @strawberry.field(description="The id of the version that replaced this one, if any.")
    async def superseded_by_id(self, info: Info) -> strawberry.ID | None:
        ident = await filing.successor_id(info.context, self._record)
        return strawberry.ID(str(ident)) if ident is not None else None

    @strawberry.field(description="The filed content.")
    def content(self) -> JSON:
        return json.loads(self._record.content)

    @strawberry.field(
        description="The filed content exactly as hashed: canonical JSON (sorted keys, no "
        "whitespace), UTF-8. sha256 is the SHA-256 of these bytes."
    )
    def content_text(self) -> str:
        return self._record.content

    @strawberry.field(description="Lower-case hex SHA-256 of contentText.")
    def sha256(self) -> str:
        return self._record.sha256

    @strawberry.field
    async def filed_by(self, info: Info) -> Participant:
        user = await info.context.loaders.user_by_id.load(self._record.filed_by_id)
        assert user is not None  # filing users are never deleted (ON DELETE RESTRICT)
        return Participant.from_model(user)

    @strawberry.field
    def filed_at(self) -> datetime:
        return self._record.filed_at


async def filed_record(info: Info, record_id: int | None) -> models.ProjectRecord | None:
    """A filed record through the operation's loader: one query for a whole list."""
    if record_id is None:
        return None
    return await info.context.loaders.record_by_id.load(record_id)


@strawberry.type
class RecordVerification:
    record: ProjectRecord
    valid: bool = strawberry.field(
        description="The stored content still hashes to the stored sha256, and to the hash you "
        "gave (when you gave one)."
    )
    stored_sha256: str
    computed_sha256: str
    expected_sha256: str = strawberry.field(
        description="The hash you gave, or the stored one when you gave none."
    )


@strawberry.type
class FilingQuery:
    @strawberry.field(
        description="The filed records of a project (all versions), oldest first: the first "
        f"`first` (default {filing.DEFAULT_RECORDS_PAGE}, at most {filing.MAX_RECORDS_PAGE}) "
        "after the record id `after`; pass the last id you received to read on."
    )
    async def project_records(
        self,
        info: Info,
        project_id: strawberry.ID,
        kind: RecordKind | None = None,
        first: int | None = filing.DEFAULT_RECORDS_PAGE,
        after: strawberry.ID | None = None,
    ) -> list[ProjectRecord]:
        records = await filing.list_records(info.context, project_id, kind, first, after)
        return [ProjectRecord.from_model(record) for record in records]

    @strawberry.field
    async def project_record(self, info: Info, id: strawberry.ID) -> ProjectRecord:
        return ProjectRecord.from_model(await filing.get_record(info.context, id))

    @strawberry.field(
        description="Recomputes the SHA-256 of a filed record and compares it with the stored "
        "hash and, when given, with the hash you hold."
    )
    async def verify_project_record(
        self, info: Info, record_id: strawberry.ID, sha256: str | None = None
    ) -> RecordVerification:
        result = await filing.verify_record(info.context, record_id, sha256)
        return RecordVerification(
            record=ProjectRecord.from_model(result.record),
            valid=result.valid,
            stored_sha256=result.record.sha256,
            computed_sha256=result.computed_sha256,
            expected_sha256=result.expected_sha256,
        )
