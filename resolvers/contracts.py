"""The contract of a renovation project: drafted by the project manager, signed by both sides,
then filed, which turns its stages into the project's milestones and starts the work.

How "filed exactly once" holds, even when the customer and the decoration enterprise sign at the
same moment: every write here starts by locking the project row (`locked_project`: SELECT ...
FOR NO KEY UPDATE, held until commit on PostgreSQL; SQLite serialises writers anyway). Two
signatures of one project therefore run one after the other, and the second one reads the first
one's committed signature. On top of that lock the database decides again: each signature is a
conditional UPDATE on (status DRAFT, this revision, that side unsigned), the filing a
conditional UPDATE DRAFT -> FILED on (this revision, both sides signed), the milestones have a
unique (project, position) index and the record a unique (project, subject, version) index.

A redraft bumps `revision` and clears both signatures; a signature names the revision it signs,
so a signature on a stale revision is a CONFLICT rather than a signature on terms its signer
never saw.

Money: integer cents. A stage's amount is `total * percent // 100` (rounded down) and the last
stage takes the remainder, so the stages add up to the total exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.exceptions import IntegrityError

from errors import BadUserInput, Conflict, InvalidState
from models import (
    Contract,
    ContractStatus,
    Milestone,
    Project,
    ProjectStatus,
    RecordKind,
    User,
)
from resolvers import validation
from resolvers.context import Context
from resolvers.filing import file_project_record
from resolvers.notifications import NotificationKind, notify
from resolvers.policy import ProjectAction, ProjectRole
from resolvers.project_feed import (
    FeedKind,
    add_feed_entry,
    move_project,
    notify_participants,
    require_status,
)
from resolvers.projects_access import authorized_project, locked_project

MAX_STAGES = 10
MAX_STAGE_NAME = 120
MAX_TERMS = 20_000

CUSTOMER_SIDE = "CUSTOMER"
ENTERPRISE_SIDE = "ENTERPRISE"
_ENTERPRISE_SIGNERS = frozenset({ProjectRole.PROJECT_MANAGER, ProjectRole.DECORATION_FIRM})


# --- Stages and amounts ------------------------------------------------------------------------


@dataclass(frozen=True)
class StageDraft:
    name: str
    percent: int


@dataclass(frozen=True)
class ContractDraft:
    total_cents: int
    stages: Sequence[StageDraft]
    terms: str


@dataclass(frozen=True)
class Stage:
    position: int  # 1-based
    name: str
    percent: int
    amount_cents: int


def stage_amounts(total_cents: int, percents: Sequence[int]) -> list[int]:
    """Each stage's share of the total in cents, rounded down; the last stage takes what the
    rounding left over, so the amounts always add up to the total exactly."""
    amounts = [total_cents * percent // 100 for percent in percents[:-1]]
    return [*amounts, total_cents - sum(amounts)]


def stages_of(contract: Contract) -> list[Stage]:
    stored: list[dict[str, Any]] = contract.stages
    amounts = stage_amounts(contract.total_cents, [int(s["percent"]) for s in stored])
    return [
        Stage(position, str(stage["name"]), int(stage["percent"]), amount)
        for position, (stage, amount) in enumerate(zip(stored, amounts, strict=True), start=1)
    ]


def _checked_draft(draft: ContractDraft) -> tuple[int, list[dict[str, Any]], str]:
    total = validation.amount_cents(draft.total_cents, "totalCents")
    assert total is not None
    if not 1 <= len(draft.stages) <= MAX_STAGES:
        raise BadUserInput(f"stages must list between 1 and {MAX_STAGES} stages.", "stages")
    stages: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, stage in enumerate(draft.stages):
        name = validation.text(stage.name, f"stages[{index}].name", max_length=MAX_STAGE_NAME)
        name = name.strip()
        if name.casefold() in seen:
            raise BadUserInput(
                f"stages[{index}].name repeats {name!r}: every stage needs its own name.",
                f"stages[{index}].name",
            )
        seen.add(name.casefold())
        validation.whole_between(stage.percent, f"stages[{index}].percent", 1, 100)
        stages.append({"name": name, "percent": stage.percent})
    total_percent = sum(stage["percent"] for stage in stages)
    if total_percent != 100:
        raise BadUserInput(
            f"stages percentages must add up to 100; they add up to {total_percent}.", "stages"
        )
    terms = validation.text(draft.terms, "terms", max_length=MAX_TERMS)
    return total, stages, terms


# --- Use cases ---------------------------------------------------------------------------------


async def get_contract(ctx: Context, project_id: str) -> Contract | None:
    """The project's contract (any participant), or None before the first draft."""
    _, project, _ = await authorized_project(ctx, project_id, ProjectAction.VIEW_PROJECT)
    return await Contract.get_or_none(project_id=project.id)


async def _decoration_owner_id(ctx: Context, project: Project) -> int | None:
    if project.decoration_enterprise_id is None:
        return None
    enterprise = await ctx.loaders.enterprise_by_id.load(project.decoration_enterprise_id)
    return enterprise.owner_id if enterprise is not None else None


async def _enterprise_signer_ids(ctx: Context, project: Project) -> set[int]:
    ids = {project.project_manager_id, await _decoration_owner_id(ctx, project)}
    return {ident for ident in ids if ident is not None}


async def draft_contract(ctx: Context, project_id: str, draft: ContractDraft) -> Contract:
    """The project manager drafts the contract, or redrafts it (a new revision, both signatures
    cleared) while it is not filed. The project must be CONTRACTING."""
    await authorized_project(ctx, project_id, ProjectAction.DRAFT_CONTRACT, fresh=True)
    total, stages, terms = _checked_draft(draft)
    async with ctx.write():
        user, project, _ = await locked_project(ctx, project_id, ProjectAction.DRAFT_CONTRACT)
        contract = await Contract.get_or_none(project_id=project.id)
        if contract is not None and contract.status == ContractStatus.FILED:
            raise InvalidState(
                f"The contract of project {project.id} is signed and filed; it can no longer be "
                "redrafted.",
                status=contract.status.value,
            )
        require_status(project, ProjectStatus.CONTRACTING)
        fields: dict[str, Any] = {
            "total_cents": total,
            "stages": stages,
            "terms": terms,
            "drafted_by_id": user.id,
            "customer_signed_at": None,
            "enterprise_signed_at": None,
            "enterprise_signed_by_id": None,
        }
        if contract is None:
            try:
                contract = await Contract.create(project_id=project.id, revision=1, **fields)
            except IntegrityError:  # unreachable while the project row is locked
                raise Conflict("The contract was drafted at the same moment; reload.") from None
        else:
            revision = contract.revision + 1
            changed = await Contract.filter(
                id=contract.id, status=ContractStatus.DRAFT, revision=contract.revision
            ).update(revision=revision, updated_at=datetime.now(UTC), **fields)
            if not changed:  # unreachable while the project row is locked
                raise Conflict("The contract changed at the same moment; reload and retry.")
            contract = await Contract.get(id=contract.id)
        await add_feed_entry(
            ctx,
            project.id,
            FeedKind.CONTRACT_DRAFTED,
            f"Contract {'drafted' if contract.revision == 1 else 'redrafted'} "
            f"(revision {contract.revision}): {_money(total, project.currency)} in "
            f"{len(stages)} stage{'s' if len(stages) > 1 else ''}",
            actor_id=user.id,
            contractId=contract.id,
            revision=contract.revision,
            totalCents=total,
        )
        to_sign = {project.customer_id, await _decoration_owner_id(ctx, project)}
        for user_id in sorted(ident for ident in to_sign if ident and ident != user.id):
            await notify(
                ctx,
                user_id,
                NotificationKind.CONTRACT_TO_SIGN,
                f"{project.title}: contract revision {contract.revision} to sign",
                f"{user.display_name} drafted revision {contract.revision} of the contract "
                f"({_money(total, project.currency)}). Read it and sign revision "
                f"{contract.revision}."
                + (" Earlier signatures no longer count." if contract.revision > 1 else ""),
                projectId=project.id,
                contractId=contract.id,
                revision=contract.revision,
            )
    return contract


def _sides(roles: frozenset[ProjectRole]) -> list[str]:
    sides = []
    if ProjectRole.CUSTOMER in roles:
        sides.append(CUSTOMER_SIDE)
    if roles & _ENTERPRISE_SIGNERS:
        sides.append(ENTERPRISE_SIDE)
    return sides


def _signed(contract: Contract, side: str) -> bool:
    if side == CUSTOMER_SIDE:
        return contract.customer_signed_at is not None
    return contract.enterprise_signed_at is not None


async def sign_contract(ctx: Context, project_id: str, revision: int) -> Contract:
    """The customer signs the customer side; the decoration enterprise's owner or the project
    manager signs the enterprise side. The signature that completes both files the contract.

    Signing again a side already signed (a retry) changes nothing and returns the contract,
    also once it is filed."""
    await authorized_project(ctx, project_id, ProjectAction.SIGN_CONTRACT, fresh=True)
    async with ctx.write():
        user, project, roles = await locked_project(ctx, project_id, ProjectAction.SIGN_CONTRACT)
        sides = _sides(roles)
        contract = await Contract.get_or_none(project_id=project.id)
        if contract is None:
            raise InvalidState(
                f"No contract has been drafted for project {project.id} yet.",
                status=project.status.value,
            )
        already = contract.revision == revision and all(_signed(contract, s) for s in sides)
        if contract.status == ContractStatus.FILED:
            if already:
                return contract
            raise InvalidState(
                f"The contract of project {project.id} is already signed by both sides and filed.",
                status=contract.status.value,
            )
        require_status(project, ProjectStatus.CONTRACTING)
        if contract.revision != revision:
            raise Conflict(
                f"You signed revision {revision}, but the contract is at revision "
                f"{contract.revision}: read the current revision and sign that one.",
                revision=contract.revision,
            )
        if already:
            return contract
        now = datetime.now(UTC)
        for side in sides:
            if _signed(contract, side):
                continue
            await _sign_side(ctx, project, contract, side, user, now)
        contract = await Contract.get(id=contract.id)
        if contract.customer_signed_at is not None and contract.enterprise_signed_at is not None:
            contract = await _file(ctx, project, contract, user)
        else:
            await _ask_other_side(ctx, project, contract, user)
    return contract


async def _sign_side(
    ctx: Context, project: Project, contract: Contract, side: str, user: User, now: datetime
) -> None:
    unsigned = Contract.filter(
        id=contract.id, status=ContractStatus.DRAFT, revision=contract.revision
    )
    if side == CUSTOMER_SIDE:
        changed = await unsigned.filter(customer_signed_at__isnull=True).update(
            customer_signed_at=now, updated_at=now
        )
    else:
        changed = await unsigned.filter(enterprise_signed_at__isnull=True).update(
            enterprise_signed_at=now, enterprise_signed_by_id=user.id, updated_at=now
        )
    if not changed:  # unreachable while the project row is locked
        raise Conflict("The contract changed at the same moment; reload and sign again.")
    who = "the customer" if side == CUSTOMER_SIDE else "the decoration enterprise"
    await add_feed_entry(
        ctx,
        project.id,
        FeedKind.CONTRACT_SIGNED,
        f"{user.display_name} signed revision {contract.revision} of the contract for {who}",
        actor_id=user.id,
        contractId=contract.id,
        revision=contract.revision,
        side=side,
    )


async def _ask_other_side(ctx: Context, project: Project, contract: Contract, user: User) -> None:
    if contract.customer_signed_at is None:
        waiting, who = {project.customer_id}, "the decoration enterprise"
    else:
        waiting, who = await _enterprise_signer_ids(ctx, project), "the customer"
    for user_id in sorted(waiting - {user.id}):
        await notify(
            ctx,
            user_id,
            NotificationKind.CONTRACT_TO_SIGN,
            f"{project.title}: your signature completes the contract",
            f"{user.display_name} signed revision {contract.revision} of the contract for {who}. "
            f"Your signature on revision {contract.revision} files it and starts the work.",
            projectId=project.id,
            contractId=contract.id,
            revision=contract.revision,
        )


async def _file(ctx: Context, project: Project, contract: Contract, user: User) -> Contract:
    """Both sides signed this revision: file it, create the milestones, start the work."""
    filed = await Contract.filter(
        id=contract.id,
        status=ContractStatus.DRAFT,
        revision=contract.revision,
        customer_signed_at__isnull=False,
        enterprise_signed_at__isnull=False,
    ).update(status=ContractStatus.FILED, updated_at=datetime.now(UTC))
    if not filed:  # unreachable while the project row is locked
        raise Conflict("The contract was filed at the same moment; reload.")
    stages = stages_of(contract)
    assert contract.customer_signed_at and contract.enterprise_signed_at
    content = {
        "contractId": contract.id,
        "projectId": project.id,
        "revision": contract.revision,
        "currency": project.currency,
        "totalCents": contract.total_cents,
        "stages": [
            {
                "position": stage.position,
                "name": stage.name,
                "percent": stage.percent,
                "amountCents": stage.amount_cents,
            }
            for stage in stages
        ],
        "terms": contract.terms,
        "draftedById": contract.drafted_by_id,
        "customer": {
            "userId": project.customer_id,
            "signedAt": contract.customer_signed_at.isoformat(),
        },
        "enterprise": {
            "enterpriseId": project.decoration_enterprise_id,
            "signedById": contract.enterprise_signed_by_id,
            "signedAt": contract.enterprise_signed_at.isoformat(),
        },
    }
    filed_record = await file_project_record(
        ctx, project, RecordKind.CONTRACT, "contract", content, filed_by=user.id
    )
    await Contract.filter(id=contract.id).update(record_id=filed_record.id)
    await Milestone.bulk_create(
        [
            Milestone(
                project_id=project.id,
                position=stage.position,
                name=stage.name,
                percent=stage.percent,
                amount_cents=stage.amount_cents,
            )
            for stage in stages
        ]
    )
    await move_project(
        ctx,
        project,
        {ProjectStatus.CONTRACTING},
        ProjectStatus.IN_PROGRESS,
        actor_id=user.id,
        why=f"the contract was signed and filed as {filed_record.filing_number}",
    )
    await notify_participants(
        ctx,
        project,
        NotificationKind.CONTRACT_FILED,
        f"{project.title}: contract filed, work starts",
        f"Both sides signed revision {contract.revision}; the contract is filed as "
        f"{filed_record.filing_number} and its {len(stages)} stages are now milestones.",
        exclude=user.id,
        contractId=contract.id,
        recordId=filed_record.id,
    )
    return await Contract.get(id=contract.id)


def _money(cents: int, currency: str) -> str:
    return f"{cents // 100:,}.{cents % 100:02d} {currency}"
