"""Filing records: numbered, hashed, immutable, versioned.

A filed record's content is stored as canonical JSON text (sorted keys, no whitespace, UTF-8)
and its SHA-256 is taken over exactly those bytes, so anyone entitled can recompute the hash
from what `projectRecords` returns. Records are never updated: filing the same subject again
(a new design confirmed, a new material plan) creates the next version, which points to the
one it replaces. The database keeps the chain straight: (project, subject, version) is unique
and a record can be superseded only once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from errors import Conflict, NotFound
from models import Project, ProjectRecord, RecordKind
from resolvers import validation
from resolvers.context import Context
from resolvers.ids import parse_id
from resolvers.pagination import oldest_first
from resolvers.policy import ProjectAction
from resolvers.project_feed import FeedKind, add_feed_entry
from resolvers.projects_access import authorized_project

# projectRecords returns a page of this many by default, at most MAX_RECORDS_PAGE.
DEFAULT_RECORDS_PAGE = 100
MAX_RECORDS_PAGE = 500


def canonical_json(content: Any) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


async def file_project_record(
    ctx: Context,
    project: Project,
    kind: RecordKind,
    subject: str,
    content: dict[str, Any],
    *,
    filed_by: int,
) -> ProjectRecord:
    """Inside `ctx.write()`: file `content` as the next version of `subject`.

    Also stores a RECORD_FILED feed entry. CONFLICT if a concurrent filing of the same subject
    won the race (the caller's transaction rolls back; nothing half-filed remains).
    """
    # Bumping the counter locks the project row until commit (PostgreSQL), so concurrent
    # filings of one project are numbered one after the other.
    await Project.filter(id=project.id).update(records_filed=F("records_filed") + 1)
    sequence = (await Project.filter(id=project.id).values_list("records_filed", flat=True))[0]
    previous = (
        await ProjectRecord.filter(project_id=project.id, subject=subject)
        .order_by("-version")
        .first()
    )
    text = canonical_json(content)
    try:
        filed = await ProjectRecord.create(
            project_id=project.id,
            kind=kind,
            filing_number=f"P{project.id}-{sequence:04d}",
            subject=subject,
            version=previous.version + 1 if previous else 1,
            supersedes_id=previous.id if previous else None,
            content=text,
            sha256=sha256_hex(text),
            filed_by_id=filed_by,
        )
    except IntegrityError:
        raise Conflict(f"{subject} was filed again at the same moment; reload and retry.") from None
    await add_feed_entry(
        ctx,
        project.id,
        FeedKind.RECORD_FILED,
        f"{kind.value.replace('_', ' ').capitalize()} filed as {filed.filing_number}"
        + (f" (version {filed.version})" if filed.version > 1 else ""),
        actor_id=filed_by,
        recordId=filed.id,
        filingNumber=filed.filing_number,
        kind=kind.value,
        version=filed.version,
        sha256=filed.sha256,
    )
    return filed


async def list_records(
    ctx: Context,
    project_id: str,
    kind: RecordKind | None = None,
    first: int | None = None,
    after: str | None = None,
) -> list[ProjectRecord]:
    """The project's filed records (all versions) in filing order, a page at a time: the
    first `first` after the record id `after`."""
    size = validation.list_size(DEFAULT_RECORDS_PAGE if first is None else first, MAX_RECORDS_PAGE)
    _, project, _ = await authorized_project(ctx, project_id, ProjectAction.VIEW_RECORDS)
    query = ProjectRecord.filter(project_id=project.id)
    if kind is not None:
        query = query.filter(kind=kind)
    return await oldest_first(query, size, after)


async def get_record(ctx: Context, record_id: str) -> ProjectRecord:
    """A record the viewer is entitled to; NOT_FOUND to everyone else."""
    ident = parse_id(record_id, "Record")
    filed = await ProjectRecord.get_or_none(id=ident)
    if filed is None:
        raise NotFound("Record", record_id)
    try:
        await authorized_project(ctx, filed.project_id, ProjectAction.VIEW_RECORDS)
    except NotFound:
        raise NotFound("Record", record_id) from None
    return filed


@dataclass(frozen=True)
class Verification:
    record: ProjectRecord
    computed_sha256: str
    expected_sha256: str  # what the caller holds, or the stored hash when none was given

    @property
    def valid(self) -> bool:
        return self.computed_sha256 == self.record.sha256 == self.expected_sha256


async def verify_record(ctx: Context, record_id: str, sha256: str | None) -> Verification:
    """Recompute the hash of the stored content and compare it with the stored hash and, when
    given, with the hash the caller holds (e.g. from a signed copy)."""
    filed = await get_record(ctx, record_id)
    expected = (sha256 or filed.sha256).strip().lower()
    return Verification(filed, sha256_hex(filed.content), expected)


async def successor_id(ctx: Context, filed: ProjectRecord) -> int | None:
    """The id of the version that superseded `filed` (None while it is the latest)."""
    return await ctx.loaders.record_successor_by_id.load(filed.id)
