"""The escrow of a renovation project: deposits, stage releases and the statement."""

from __future__ import annotations

from datetime import datetime

import strawberry

import models
from resolvers import settlement
from schema.common import Info, Participant
from schema.enums import EscrowKind
from schema.milestones import Milestone


def _milestone(milestone: models.Milestone) -> Milestone:
    return Milestone.from_model(milestone)


@strawberry.type(
    description="One movement of the escrow, append-only. DEPOSIT: the customer paid in. "
    "RELEASE: a stage was paid out to the decoration enterprise (once per milestone)."
)
class EscrowEntry:
    _entry: strawberry.Private[models.EscrowEntry]
    # The released milestone when the caller already has it (the statement does).
    _milestone: strawberry.Private[models.Milestone | None] = None

    @classmethod
    def from_model(
        cls, entry: models.EscrowEntry, milestone: models.Milestone | None = None
    ) -> EscrowEntry:
        return cls(_entry=entry, _milestone=milestone)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._entry.id))

    @strawberry.field
    def kind(self) -> EscrowKind:
        return self._entry.kind

    @strawberry.field
    def amount_cents(self) -> int:
        return self._entry.amount_cents

    @strawberry.field(description="DEPOSIT: the payment's reference, unique per project.")
    def external_reference(self) -> str | None:
        return self._entry.external_reference

    @strawberry.field(description="RELEASE: the milestone whose stage was paid.")
    def milestone_id(self) -> strawberry.ID | None:
        ident = self._entry.milestone_id
        return strawberry.ID(str(ident)) if ident is not None else None

    @strawberry.field(description="RELEASE: the milestone whose stage was paid.")
    async def milestone(
        self,
    ) -> Milestone | None:
        if self._entry.milestone_id is None:
            return None
        milestone = self._milestone or await models.Milestone.get(id=self._entry.milestone_id)
        return _milestone(milestone)

    @strawberry.field(description="Held in escrow right after this entry (deposited - released).")
    def held_after_cents(self) -> int:
        return self._entry.held_after_cents

    @strawberry.field(description="Who made the deposit, or whose approval or deposit released.")
    async def recorded_by(self, info: Info) -> Participant:
        user = await info.context.loaders.user_by_id.load(self._entry.recorded_by_id)
        assert user is not None  # ON DELETE RESTRICT
        return Participant.from_model(user)

    @strawberry.field
    def created_at(self) -> datetime:
        return self._entry.created_at


@strawberry.type(description="One stage of the contract and whether it was paid out.")
class StageSettlement:
    _stage: strawberry.Private[settlement.StageSettlement]

    @strawberry.field
    def milestone(self) -> Milestone:
        return _milestone(self._stage.milestone)

    @strawberry.field
    def amount_cents(self) -> int:
        return self._stage.amount_cents

    @strawberry.field(description="When the stage was released from escrow; null until then.")
    def released_at(self) -> datetime | None:
        return self._stage.released_at


@strawberry.type(
    description="The escrow of a project, from its ledger: depositedCents = the deposits, "
    "releasedCents = the releases, heldCents = depositedCents - releasedCents >= 0, "
    "outstandingCents = contractTotalCents - depositedCents (still to deposit), "
    "pendingReleaseCents = approved stages waiting for deposits."
)
class ProjectStatement:
    _statement: strawberry.Private[settlement.Statement]

    @strawberry.field
    def currency(self) -> str:
        return self._statement.currency

    @strawberry.field(description="The filed contract's total; 0 before the contract is filed.")
    def contract_total_cents(self) -> int:
        return self._statement.contract_total_cents

    @strawberry.field
    def deposited_cents(self) -> int:
        return self._statement.deposited_cents

    @strawberry.field
    def released_cents(self) -> int:
        return self._statement.released_cents

    @strawberry.field
    def held_cents(self) -> int:
        return self._statement.held_cents

    @strawberry.field
    def pending_release_cents(self) -> int:
        return self._statement.pending_release_cents

    @strawberry.field
    def outstanding_cents(self) -> int:
        return self._statement.outstanding_cents

    @strawberry.field(
        description=f"Every entry, oldest first (at most {settlement.MAX_DEPOSITS} deposits "
        "and one release per stage)."
    )
    def entries(self) -> list[EscrowEntry]:
        by_id = self._statement.milestones_by_id
        return [
            EscrowEntry.from_model(
                entry, by_id.get(entry.milestone_id) if entry.milestone_id else None
            )
            for entry in self._statement.entries
        ]

    @strawberry.field(description="Each stage of the contract, in contract order.")
    def stages(self) -> list[StageSettlement]:
        return [StageSettlement(_stage=stage) for stage in self._statement.stages]


@strawberry.input
class DepositInput:
    amount_cents: int
    external_reference: str = strawberry.field(
        description="The payment's reference (e.g. the bank transfer id). Sending it again "
        "with the same amount returns the first deposit instead of recording another."
    )


@strawberry.type
class SettlementQuery:
    @strawberry.field(
        description="The escrow statement: the customer, the decoration enterprise, the "
        "project manager, the supervisor and ADMIN."
    )
    async def project_statement(self, info: Info, project_id: strawberry.ID) -> ProjectStatement:
        return ProjectStatement(_statement=await settlement.statement(info.context, project_id))


@strawberry.type
class SettlementMutation:
    @strawberry.mutation(
        description="The customer pays into escrow (contract filed, work not yet accepted). "
        "Deposits never exceed the contract total. Approved stages the escrow now covers are "
        "released at once, in contract order."
    )
    async def deposit_to_escrow(
        self, info: Info, project_id: strawberry.ID, input: DepositInput
    ) -> EscrowEntry:
        entry = await settlement.deposit(
            info.context, project_id, input.amount_cents, input.external_reference
        )
        return EscrowEntry.from_model(entry)
