"""The contract of a renovation project: drafting, signing, and the filed result."""

from __future__ import annotations

from datetime import datetime

import strawberry

import models
from resolvers import contracts
from schema.common import Info, Participant
from schema.enums import ContractStatus
from schema.filing import ProjectRecord, filed_record


@strawberry.type(description="One payment stage of the contract; it becomes a milestone.")
class ContractStage:
    position: int
    name: str
    percent: int
    amount_cents: int = strawberry.field(
        description="percent of the total, rounded down; the last stage takes the remainder, "
        "so the stages add up to the total exactly."
    )


@strawberry.type(
    description="The contract between the customer and the decoration enterprise. While DRAFT "
    "the project manager may redraft it (a new revision, both signatures cleared); once both "
    "sides signed the same revision it is FILED and never changes."
)
class Contract:
    _contract: strawberry.Private[models.Contract]

    @classmethod
    def from_model(cls, contract: models.Contract) -> Contract:
        return cls(_contract=contract)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._contract.id))

    @strawberry.field(description="Bumped by every redraft; signContract names the revision.")
    def revision(self) -> int:
        return self._contract.revision

    @strawberry.field
    def total_cents(self) -> int:
        return self._contract.total_cents

    @strawberry.field
    async def currency(self, info: Info) -> str:
        project = await info.context.loaders.project_by_id.load(self._contract.project_id)
        return project.currency if project else "EUR"

    @strawberry.field
    def stages(self) -> list[ContractStage]:
        return [
            ContractStage(
                position=stage.position,
                name=stage.name,
                percent=stage.percent,
                amount_cents=stage.amount_cents,
            )
            for stage in contracts.stages_of(self._contract)
        ]

    @strawberry.field
    def terms(self) -> str:
        return self._contract.terms

    @strawberry.field
    def status(self) -> ContractStatus:
        return self._contract.status

    @strawberry.field(description="When the customer signed the current revision.")
    def customer_signed_at(self) -> datetime | None:
        return self._contract.customer_signed_at

    @strawberry.field(description="When the decoration enterprise signed the current revision.")
    def enterprise_signed_at(self) -> datetime | None:
        return self._contract.enterprise_signed_at

    @strawberry.field(description="Who signed for the decoration enterprise.")
    async def enterprise_signed_by(self, info: Info) -> Participant | None:
        ident = self._contract.enterprise_signed_by_id
        user = await info.context.loaders.user_by_id.load(ident) if ident else None
        return Participant.from_model(user) if user else None

    @strawberry.field
    async def drafted_by(self, info: Info) -> Participant:
        user = await info.context.loaders.user_by_id.load(self._contract.drafted_by_id)
        assert user is not None  # users are never deleted (ON DELETE RESTRICT)
        return Participant.from_model(user)

    @strawberry.field(description="The filed record, once FILED.")
    async def record(self, info: Info) -> ProjectRecord | None:
        # Whoever sees the contract sees the project's records (both are for participants).
        filed = await filed_record(info, self._contract.record_id)
        return ProjectRecord.from_model(filed) if filed else None


@strawberry.input
class ContractStageInput:
    name: str
    percent: int = strawberry.field(description="Whole percent, 1-100.")


@strawberry.input(
    description="1-10 stages with distinct names and whole percents adding up to 100."
)
class ContractInput:
    total_cents: int
    stages: list[ContractStageInput]
    terms: str


@strawberry.type
class ContractsQuery:
    @strawberry.field(description="The project's contract, or null before the first draft.")
    async def project_contract(self, info: Info, project_id: strawberry.ID) -> Contract | None:
        contract = await contracts.get_contract(info.context, project_id)
        return Contract.from_model(contract) if contract else None


@strawberry.type
class ContractsMutation:
    @strawberry.mutation(
        description="Project manager, project CONTRACTING: draft the contract, or redraft it "
        "(a new revision; both signatures are cleared) while it is not filed."
    )
    async def draft_contract(
        self, info: Info, project_id: strawberry.ID, input: ContractInput
    ) -> Contract:
        draft = contracts.ContractDraft(
            total_cents=input.total_cents,
            stages=[contracts.StageDraft(stage.name, stage.percent) for stage in input.stages],
            terms=input.terms,
        )
        return Contract.from_model(await contracts.draft_contract(info.context, project_id, draft))

    @strawberry.mutation(
        description="Sign the current revision: the customer for the customer side, the "
        "decoration enterprise's owner or project manager for the enterprise side. The "
        "signature that completes both files the contract, creates the milestones and starts "
        "the work. CONFLICT when `revision` is not the current one."
    )
    async def sign_contract(self, info: Info, project_id: strawberry.ID, revision: int) -> Contract:
        return Contract.from_model(
            await contracts.sign_contract(info.context, project_id, revision)
        )
