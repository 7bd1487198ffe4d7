"""Design proposals of a renovation project."""

from __future__ import annotations

from datetime import datetime

import strawberry

import models
from resolvers import designs, validation
from schema.common import Info, Participant
from schema.enums import ProposalStatus
from schema.filing import ProjectRecord, filed_record


@strawberry.type(
    description="A design proposal. SUBMITTED until the customer confirms it (CONFIRMED, filed "
    "as the project's design); SUPERSEDED once another proposal is confirmed after it."
)
class DesignProposal:
    _proposal: strawberry.Private[models.DesignProposal]

    @classmethod
    def from_model(cls, proposal: models.DesignProposal) -> DesignProposal:
        return cls(_proposal=proposal)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._proposal.id))

    @strawberry.field
    def title(self) -> str:
        return self._proposal.title

    @strawberry.field
    def description(self) -> str:
        return self._proposal.description

    @strawberry.field
    def document_url(self) -> str:
        return self._proposal.document_url

    @strawberry.field
    def estimate_cents(self) -> int:
        return self._proposal.estimate_cents

    @strawberry.field
    async def currency(self, info: Info) -> str:
        project = await info.context.loaders.project_by_id.load(self._proposal.project_id)
        return project.currency if project else "EUR"

    @strawberry.field
    def status(self) -> ProposalStatus:
        return self._proposal.status

    @strawberry.field
    async def designer(self, info: Info) -> Participant:
        user = await info.context.loaders.user_by_id.load(self._proposal.designer_id)
        assert user is not None  # users are never deleted (ON DELETE RESTRICT)
        return Participant.from_model(user)

    @strawberry.field(description="The DESIGN record filed when the customer confirmed it.")
    async def record(self, info: Info) -> ProjectRecord | None:
        filed = await filed_record(info, self._proposal.record_id)
        return ProjectRecord.from_model(filed) if filed else None

    @strawberry.field
    def created_at(self) -> datetime:
        return self._proposal.created_at


@strawberry.input
class DesignProposalInput:
    title: str
    description: str
    document_url: str = strawberry.field(description="An http(s) link to the design documents.")
    estimate_cents: int


@strawberry.type
class DesignsQuery:
    @strawberry.field(
        description="The project's design proposals, oldest first: the first `first` (all, at "
        f"most {designs.MAX_PROPOSALS_PER_PROJECT}, by default) after the proposal id `after`."
    )
    async def design_proposals(
        self,
        info: Info,
        project_id: strawberry.ID,
        first: int = designs.MAX_PROPOSALS_PER_PROJECT,
        after: strawberry.ID | None = None,
    ) -> list[DesignProposal]:
        size = validation.list_size(first, designs.MAX_PROPOSALS_PER_PROJECT)
        proposals = await designs.list_proposals(info.context, project_id, size, after)
        return [DesignProposal.from_model(proposal) for proposal in proposals]


@strawberry.type
class DesignsMutation:
    @strawberry.mutation(
        description="Designer; project CONTRACTING, IN_PROGRESS or RECTIFYING: submit a design "
        "proposal for the customer to confirm."
    )
    async def submit_design_proposal(
        self, info: Info, project_id: strawberry.ID, input: DesignProposalInput
    ) -> DesignProposal:
        new = designs.NewDesignProposal(
            title=input.title,
            description=input.description,
            document_url=input.document_url,
            estimate_cents=input.estimate_cents,
        )
        return DesignProposal.from_model(
            await designs.submit_proposal(info.context, project_id, new)
        )

    @strawberry.mutation(
        description="Customer: confirm a SUBMITTED proposal. It is filed as the project's "
        "design (the next version of it); the proposal confirmed before becomes SUPERSEDED."
    )
    async def confirm_design_proposal(
        self, info: Info, proposal_id: strawberry.ID
    ) -> DesignProposal:
        return DesignProposal.from_model(await designs.confirm_proposal(info.context, proposal_id))
