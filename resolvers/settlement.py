"""The escrow of a renovation project: the customer's deposits, stage releases, the statement.

The customer pays into escrow (`deposit`); each construction stage is paid out to the decoration
enterprise once the customer has approved its milestone and the escrow holds enough
(`release_approved`, called by milestone approval and after every deposit). The database, not
Python, holds the invariants the money depends on:

- nothing is released beyond what was deposited: the project's `released_cents` is raised by
  one conditional `UPDATE ... WHERE deposited_cents >= released_cents + amount`;
- deposits never exceed the contract total: `UPDATE ... WHERE deposited_cents <= total - amount`;
- a stage is released exactly once: a conditional update of the milestone's `released_at`
  (`WHERE released_at IS NULL`) and the unique milestone index of the escrow ledger;
- a deposit is recorded once per external payment reference: the unique (project, reference)
  index of the ledger.

Every escrow change of a project first locks the project row (FOR UPDATE on PostgreSQL), so the
changes of one project run one after another: the ledger's ids follow the order of the changes,
each entry's `held_after_cents` is the running balance, and two releases always lock the project
before any milestone (no deadlock between them).

The ledger is append-only and sums to the project's totals; the statement is computed from the
ledger alone (one query, one snapshot), so it always adds up.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from errors import BadUserInput, Conflict, InvalidState
from models import (
    Contract,
    ContractStatus,
    EscrowEntry,
    EscrowKind,
    Milestone,
    MilestoneStatus,
    Project,
    ProjectStatus,
)
from resolvers import validation
from resolvers.context import Context
from resolvers.notifications import NotificationKind, notify
from resolvers.policy import ProjectAction
from resolvers.project_feed import FeedKind, add_feed_entry, require_status
from resolvers.projects_access import authorized_project, lock_project, require_room

log = logging.getLogger(__name__)

# The statement lists every ledger entry; releases are bounded by the stages (at most 10), and
# deposits by this, so the list stays bounded.
MAX_DEPOSITS = 100
MAX_REFERENCE_LENGTH = 100
# The contract is filed and the work not yet accepted: the escrow takes deposits.
FUNDABLE = (ProjectStatus.IN_PROGRESS, ProjectStatus.AWAITING_ACCEPTANCE, ProjectStatus.RECTIFYING)


def money(cents: int, currency: str) -> str:
    """12345678 -> "123,456.78 EUR"."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole:,}.{part:02d} {currency}"


async def _held_now(project_id: int) -> int:
    deposited, released = (
        await Project.filter(id=project_id).values_list("deposited_cents", "released_cents")
    )[0]
    return int(deposited) - int(released)


# --- Releasing stages --------------------------------------------------------------------------


class _NotCovered(Exception):
    """The escrow does not hold enough for the next stage: undo its claim and stop."""


async def release_approved(ctx: Context, project: Project, actor_id: int) -> list[EscrowEntry]:
    """Inside `ctx.write()`: pay out every APPROVED, unreleased stage, in contract order, while
    the escrow holds enough for it; returns the RELEASE entries made (often none).

    A stage that is not covered waits, and so do the stages after it (stages are paid in
    order); the next deposit calls this again. Each stage is released exactly once: its
    `released_at` is claimed by a conditional update, the project's released total is raised by
    a conditional update that only matches while deposits cover it, and the ledger's unique
    milestone index refuses a second RELEASE row. Each stage runs in a SAVEPOINT, so a stage
    that is not covered leaves no half-done claim behind.
    """
    locked = await lock_project(project.id)
    due = await Milestone.filter(
        project_id=project.id, status=MilestoneStatus.APPROVED, released_at__isnull=True
    ).order_by("position")
    released: list[EscrowEntry] = []
    for milestone in due:
        try:
            entry = await _release_one(locked, milestone, actor_id)
        except _NotCovered:
            break
        except IntegrityError:  # the unique milestone index: released already
            log.info("milestone %s was already released; skipped", milestone.id)
            continue
        if entry is None:
            continue
        released.append(entry)
        await _announce_release(ctx, locked, milestone, entry, actor_id)
    return released


async def _release_one(project: Project, milestone: Milestone, actor_id: int) -> EscrowEntry | None:
    now = datetime.now(UTC)
    async with in_transaction():  # nested in the caller's write: a SAVEPOINT
        claimed = await Milestone.filter(
            id=milestone.id, status=MilestoneStatus.APPROVED, released_at__isnull=True
        ).update(released_at=now)
        if not claimed:
            return None  # released meanwhile: nothing to do
        raised = await Project.filter(
            id=project.id, deposited_cents__gte=F("released_cents") + milestone.amount_cents
        ).update(released_cents=F("released_cents") + milestone.amount_cents)
        if not raised:
            raise _NotCovered
        entry = await EscrowEntry.create(
            project_id=project.id,
            kind=EscrowKind.RELEASE,
            amount_cents=milestone.amount_cents,
            milestone_id=milestone.id,
            held_after_cents=await _held_now(project.id),
            recorded_by_id=actor_id,
            created_at=now,  # the same moment as the milestone's released_at
        )
    milestone.released_at = now
    return entry


async def _announce_release(
    ctx: Context, project: Project, milestone: Milestone, entry: EscrowEntry, actor_id: int
) -> None:
    amount = money(entry.amount_cents, project.currency)
    await add_feed_entry(
        ctx,
        project.id,
        FeedKind.PAYMENT_RECORDED,
        f'Stage {milestone.position} "{milestone.name}" released: {amount} paid to the '
        "decoration enterprise",
        actor_id=actor_id,
        entryId=entry.id,
        entryKind=EscrowKind.RELEASE.value,
        milestoneId=milestone.id,
        amountCents=entry.amount_cents,
        heldAfterCents=entry.held_after_cents,
    )
    recipients = {project.customer_id}
    if project.decoration_enterprise_id is not None:
        firm = await ctx.loaders.enterprise_by_id.load(project.decoration_enterprise_id)
        if firm is not None:
            recipients.add(firm.owner_id)
    for user_id in sorted(recipients):
        await notify(
            ctx,
            user_id,
            NotificationKind.PAYMENT_RELEASED,
            f"{project.title}: stage {milestone.position} paid",
            f'{amount} for stage {milestone.position} "{milestone.name}" was released from '
            f"escrow to the decoration enterprise; "
            f"{money(entry.held_after_cents, project.currency)} remains held.",
            projectId=project.id,
            milestoneId=milestone.id,
            entryId=entry.id,
            amountCents=entry.amount_cents,
        )


# --- Deposits ----------------------------------------------------------------------------------


def _reference(value: str) -> str:
    reference = value.strip()
    if not reference:
        raise BadUserInput(
            "externalReference must not be empty: send the payment's reference (e.g. the bank "
            "transfer id), and the same one when you retry.",
            "externalReference",
        )
    if len(reference) > MAX_REFERENCE_LENGTH:
        raise BadUserInput(
            f"externalReference must be at most {MAX_REFERENCE_LENGTH} characters.",
            "externalReference",
        )
    return reference


async def _earlier_deposit(project_id: int, reference: str, amount: int) -> EscrowEntry | None:
    """The deposit this reference already recorded, if any; the same reference with another
    amount is a CONFLICT (a different payment cannot reuse it)."""
    earlier = await EscrowEntry.get_or_none(
        project_id=project_id, kind=EscrowKind.DEPOSIT, external_reference=reference
    )
    if earlier is not None and earlier.amount_cents != amount:
        raise Conflict(
            f"externalReference {reference!r} already recorded a deposit of "
            f"{earlier.amount_cents} cents; a different payment needs its own reference.",
            field="externalReference",
            amountCents=earlier.amount_cents,
        )
    return earlier


async def _contract_total(project: Project) -> int:
    contract = await Contract.get_or_none(project_id=project.id, status=ContractStatus.FILED)
    if contract is None:
        raise InvalidState(
            f"Project {project.id} has no filed contract; deposits need one.",
            status=project.status.value,
        )
    return int(contract.total_cents)


async def deposit(
    ctx: Context, project_id: str, amount_cents: int, external_reference: str
) -> EscrowEntry:
    """The customer pays `amount_cents` into escrow, once per external reference.

    The same reference with the same amount returns the first entry (a retry), with another
    amount it is a CONFLICT. Deposits never exceed the contract total (BAD_USER_INPUT). Stages
    approved while the escrow was short are released right away.
    """
    user, project, _ = await authorized_project(ctx, project_id, ProjectAction.DEPOSIT, fresh=True)
    amount = validation.amount_cents(amount_cents, "amountCents")
    assert amount is not None
    reference = _reference(external_reference)
    earlier = await _earlier_deposit(project.id, reference, amount)
    if earlier is not None:
        return earlier
    require_status(project, *FUNDABLE)
    try:
        async with ctx.write():
            locked = await lock_project(project.id)
            # A concurrent call with this reference may have committed while we waited.
            earlier = await _earlier_deposit(project.id, reference, amount)
            if earlier is not None:
                return earlier
            require_status(locked, *FUNDABLE)
            total = await _contract_total(locked)
            deposits = await EscrowEntry.filter(
                project_id=project.id, kind=EscrowKind.DEPOSIT
            ).count()
            require_room(
                locked,
                deposits,
                MAX_DEPOSITS,
                "deposits",
                instead="deposit the rest in one payment",
            )
            added = await Project.filter(
                id=project.id, status__in=list(FUNDABLE), deposited_cents__lte=total - amount
            ).update(deposited_cents=F("deposited_cents") + amount)
            if not added:
                room = total - int(locked.deposited_cents)
                raise BadUserInput(
                    f"Deposits are capped at the contract total of "
                    f"{money(total, locked.currency)}; "
                    + (
                        "the escrow is fully funded."
                        if room <= 0
                        else f"at most {money(room, locked.currency)} ({room} cents) more can "
                        "be deposited."
                    ),
                    "amountCents",
                )
            entry = await EscrowEntry.create(
                project_id=project.id,
                kind=EscrowKind.DEPOSIT,
                amount_cents=amount,
                external_reference=reference,
                held_after_cents=await _held_now(project.id),
                recorded_by_id=user.id,
            )
            await _announce_deposit(ctx, locked, entry, user.id)
            await release_approved(ctx, locked, user.id)
    except IntegrityError:
        # The unique (project, reference) index: the same reference won concurrently.
        earlier = await _earlier_deposit(project.id, reference, amount)
        if earlier is None:
            raise
        return earlier
    return entry


async def _announce_deposit(
    ctx: Context, project: Project, entry: EscrowEntry, actor_id: int
) -> None:
    amount = money(entry.amount_cents, project.currency)
    await add_feed_entry(
        ctx,
        project.id,
        FeedKind.PAYMENT_RECORDED,
        f"Deposit of {amount} into escrow recorded",
        actor_id=actor_id,
        entryId=entry.id,
        entryKind=EscrowKind.DEPOSIT.value,
        amountCents=entry.amount_cents,
        heldAfterCents=entry.held_after_cents,
    )
    # The decoration enterprise is paid from escrow: its owner and project manager learn that
    # the money for the work is there.
    recipients: set[int] = set()
    if project.project_manager_id is not None:
        recipients.add(project.project_manager_id)
    if project.decoration_enterprise_id is not None:
        firm = await ctx.loaders.enterprise_by_id.load(project.decoration_enterprise_id)
        if firm is not None:
            recipients.add(firm.owner_id)
    for user_id in sorted(recipients - {actor_id}):
        await notify(
            ctx,
            user_id,
            NotificationKind.DEPOSIT_RECORDED,
            f"{project.title}: {amount} deposited",
            f"The customer deposited {amount} into escrow; "
            f"{money(entry.held_after_cents, project.currency)} is held.",
            projectId=project.id,
            entryId=entry.id,
            amountCents=entry.amount_cents,
        )


# --- The statement -----------------------------------------------------------------------------


@dataclass(frozen=True)
class StageSettlement:
    milestone: Milestone
    released_at: datetime | None

    @property
    def amount_cents(self) -> int:
        return int(self.milestone.amount_cents)


@dataclass(frozen=True)
class Statement:
    project: Project
    contract_total_cents: int
    entries: list[EscrowEntry]
    stages: list[StageSettlement]
    # Approved stages waiting for the escrow to cover them.
    pending_release_cents: int
    milestones_by_id: dict[int, Milestone] = field(default_factory=dict)

    @property
    def currency(self) -> str:
        return self.project.currency

    @property
    def deposited_cents(self) -> int:
        return sum(e.amount_cents for e in self.entries if e.kind == EscrowKind.DEPOSIT)

    @property
    def released_cents(self) -> int:
        return sum(e.amount_cents for e in self.entries if e.kind == EscrowKind.RELEASE)

    @property
    def held_cents(self) -> int:
        return self.deposited_cents - self.released_cents

    @property
    def outstanding_cents(self) -> int:
        """What the customer has still to deposit to fund the whole contract."""
        return self.contract_total_cents - self.deposited_cents


async def statement(ctx: Context, project_id: str) -> Statement:
    """The escrow of a project: totals, every ledger entry (oldest first) and each stage.

    The money comes from the ledger read in one query (one snapshot), so the totals, the
    entries and the stages' release times always agree; milestones are read first, so a stage
    approved and released in between counts as released, not as pending.
    """
    _, project, _ = await authorized_project(ctx, project_id, ProjectAction.VIEW_STATEMENT)
    contract = await Contract.get_or_none(project_id=project.id, status=ContractStatus.FILED)
    milestones = await Milestone.filter(project_id=project.id).order_by("position")
    entries = await EscrowEntry.filter(project_id=project.id).order_by("id")
    released_at = {e.milestone_id: e.created_at for e in entries if e.kind == EscrowKind.RELEASE}
    stages = [StageSettlement(m, released_at.get(m.id)) for m in milestones]
    pending = sum(
        m.amount_cents
        for m in milestones
        if m.status == MilestoneStatus.APPROVED and m.id not in released_at
    )
    return Statement(
        project=project,
        contract_total_cents=int(contract.total_cents) if contract else 0,
        entries=entries,
        stages=stages,
        pending_release_cents=int(pending),
        milestones_by_id={m.id: m for m in milestones},
    )
