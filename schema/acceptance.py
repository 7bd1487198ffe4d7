"""The end of a renovation: acceptance (or defects to fix) and the customer's evaluations."""

from __future__ import annotations

from datetime import datetime

import strawberry

import models
from resolvers import acceptance
from schema.common import Info, Participant
from schema.enterprises import Enterprise
from schema.filing import ProjectRecord, filed_record
from schema.projects import Project


def _project(project: models.Project) -> Project:
    return Project.from_model(project)


@strawberry.input(
    description="accepted: true with no defects accepts the project; accepted: false lists at "
    "least one defect to fix (the project goes back to RECTIFYING)."
)
class AcceptanceInput:
    accepted: bool
    defects: list[str] | None = None
    note: str | None = None


@strawberry.type(
    description="The customer's 1-5 evaluation of one enterprise of the project, or of the "
    "platform; each is evaluated once per project and filed as a record."
)
class Evaluation:
    _evaluation: strawberry.Private[models.Evaluation]

    @classmethod
    def from_model(cls, evaluation: models.Evaluation) -> Evaluation:
        return cls(_evaluation=evaluation)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._evaluation.id))

    @strawberry.field(description='"enterprise:<id>" or "platform".')
    def target(self) -> str:
        return self._evaluation.target

    @strawberry.field(description="The evaluated enterprise; null for the platform.")
    async def enterprise(self, info: Info) -> Enterprise | None:
        ident = self._evaluation.enterprise_id
        if ident is None:
            return None
        enterprise = await info.context.loaders.enterprise_by_id.load(ident)
        return Enterprise.from_model(enterprise) if enterprise is not None else None

    @strawberry.field
    def rating(self) -> int:
        return self._evaluation.rating

    @strawberry.field
    def comment(self) -> str:
        return self._evaluation.comment

    @strawberry.field
    async def customer(self, info: Info) -> Participant:
        user = await info.context.loaders.user_by_id.load(self._evaluation.customer_id)
        assert user is not None  # ON DELETE RESTRICT
        return Participant.from_model(user)

    @strawberry.field(description="The filed EVALUATION record.")
    async def record(self, info: Info) -> ProjectRecord:
        filed = await filed_record(info, self._evaluation.record_id)
        assert filed is not None  # an evaluation is filed when it is made
        return ProjectRecord.from_model(filed)

    @strawberry.field
    def created_at(self) -> datetime:
        return self._evaluation.created_at


@strawberry.type
class AcceptanceQuery:
    @strawberry.field(description="The customer's evaluations of the project, oldest first.")
    async def project_evaluations(self, info: Info, project_id: strawberry.ID) -> list[Evaluation]:
        evaluations = await acceptance.list_evaluations(info.context, project_id)
        return [Evaluation.from_model(evaluation) for evaluation in evaluations]


@strawberry.type
class AcceptanceMutation:
    @strawberry.mutation(
        description="The customer, on AWAITING_ACCEPTANCE: accept (every stage must be paid "
        "from escrow; files ACCEPTANCE) or list defects to fix (-> RECTIFYING)."
    )
    async def accept_project(
        self, info: Info, project_id: strawberry.ID, input: AcceptanceInput
    ) -> Project:
        project = await acceptance.accept_project(
            info.context,
            project_id,
            accepted=input.accepted,
            defects=input.defects,
            note=input.note,
        )
        return _project(project)

    @strawberry.mutation(
        description="The project manager reports the listed defects fixed: RECTIFYING -> "
        "AWAITING_ACCEPTANCE."
    )
    async def resolve_defects(self, info: Info, project_id: strawberry.ID, note: str) -> Project:
        return _project(await acceptance.resolve_defects(info.context, project_id, note))

    @strawberry.mutation(
        description="The customer rates one enterprise of an ACCEPTED project (1-5), once."
    )
    async def evaluate_enterprise(
        self,
        info: Info,
        project_id: strawberry.ID,
        enterprise_id: strawberry.ID,
        rating: int,
        comment: str | None = None,
    ) -> Evaluation:
        evaluation = await acceptance.evaluate_enterprise(
            info.context, project_id, enterprise_id, rating, comment
        )
        return Evaluation.from_model(evaluation)

    @strawberry.mutation(description="The customer rates the platform (1-5), once per project.")
    async def evaluate_platform(
        self, info: Info, project_id: strawberry.ID, rating: int, comment: str | None = None
    ) -> Evaluation:
        evaluation = await acceptance.evaluate_platform(info.context, project_id, rating, comment)
        return Evaluation.from_model(evaluation)
