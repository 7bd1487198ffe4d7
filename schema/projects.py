"""Renovation projects: the project, its team, and creating, staffing and cancelling one."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import strawberry

import models
from resolvers import policy, projects
from schema.common import (
    Connection,
    GeoPoint,
    GeoPointInput,
    Info,
    Participant,
    connection,
)
from schema.enterprises import Enterprise
from schema.enums import ProjectStatus

# strawberry.enum registers the class and returns it: to a type checker, the class itself.
if TYPE_CHECKING:
    from resolvers.policy import ProjectRole
else:
    ProjectRole = strawberry.enum(
        policy.ProjectRole,
        description="How you stand towards a project; you may hold several. DESIGN_FIRM, "
        "DECORATION_FIRM, SUPERVISION_FIRM and SUPPLIER_FIRM: the owner of the chosen enterprise "
        "of that kind.",
    )


async def _person(info: Info, user_id: int | None) -> Participant | None:
    if user_id is None:
        return None
    user = await info.context.loaders.user_by_id.load(user_id)
    return Participant.from_model(user) if user is not None else None


async def _enterprise(info: Info, enterprise_id: int | None) -> Enterprise | None:
    if enterprise_id is None:
        return None
    enterprise = await info.context.loaders.enterprise_by_id.load(enterprise_id)
    return Enterprise.from_model(enterprise) if enterprise is not None else None


@strawberry.type(
    description="The four enterprises and four people working on a project; null until the "
    "customer chooses them. Participants see a chosen enterprise whatever its status now."
)
class ProjectTeam:
    _project: strawberry.Private[models.Project]

    @strawberry.field
    async def design_enterprise(self, info: Info) -> Enterprise | None:
        return await _enterprise(info, self._project.design_enterprise_id)

    @strawberry.field
    async def decoration_enterprise(self, info: Info) -> Enterprise | None:
        return await _enterprise(info, self._project.decoration_enterprise_id)

    @strawberry.field
    async def supervision_enterprise(self, info: Info) -> Enterprise | None:
        return await _enterprise(info, self._project.supervision_enterprise_id)

    @strawberry.field
    async def supplier_enterprise(self, info: Info) -> Enterprise | None:
        return await _enterprise(info, self._project.supplier_enterprise_id)

    @strawberry.field
    async def designer(self, info: Info) -> Participant | None:
        return await _person(info, self._project.designer_id)

    @strawberry.field
    async def project_manager(self, info: Info) -> Participant | None:
        return await _person(info, self._project.project_manager_id)

    @strawberry.field
    async def supervisor(self, info: Info) -> Participant | None:
        return await _person(info, self._project.supervisor_id)

    @strawberry.field
    async def material_budgeter(self, info: Info) -> Participant | None:
        return await _person(info, self._project.material_budgeter_id)


@strawberry.type(
    description="A renovation run through the platform. Only its participants (the customer, "
    "the team, the owners of the chosen enterprises) and ADMIN see it."
)
class Project:
    _project: strawberry.Private[models.Project]

    @classmethod
    def from_model(cls, project: models.Project) -> Project:
        return cls(_project=project)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._project.id))

    @strawberry.field
    def title(self) -> str:
        return self._project.title

    @strawberry.field
    def address(self) -> str:
        return self._project.address

    @strawberry.field
    def location(self) -> GeoPoint:
        return GeoPoint(lat=self._project.lat, lng=self._project.lng)

    @strawberry.field
    def area_sqm(self) -> float:
        return self._project.area_sqm

    @strawberry.field(description="The customer's budget, in cents of currency.")
    def budget_cents(self) -> int:
        return self._project.budget_cents

    @strawberry.field
    def currency(self) -> str:
        return self._project.currency

    @strawberry.field
    def description(self) -> str:
        return self._project.description

    @strawberry.field
    def status(self) -> ProjectStatus:
        return self._project.status

    @strawberry.field
    async def customer(self, info: Info) -> Participant:
        person = await _person(info, self._project.customer_id)
        assert person is not None  # customers are never deleted (ON DELETE RESTRICT)
        return person

    @strawberry.field
    def team(self) -> ProjectTeam:
        return ProjectTeam(_project=self._project)

    @strawberry.field(description="Your roles on this project (empty if you have none).")
    async def my_roles(self, info: Info) -> list[ProjectRole]:
        return await projects.my_roles(info.context, self._project)

    @strawberry.field(description="Defects the customer listed at acceptance, while RECTIFYING.")
    def open_defects(self) -> list[str]:
        return [str(defect) for defect in self._project.open_defects or []]

    @strawberry.field
    def accepted_at(self) -> datetime | None:
        return self._project.accepted_at

    @strawberry.field
    def created_at(self) -> datetime:
        return self._project.created_at

    @strawberry.field
    def updated_at(self) -> datetime:
        return self._project.updated_at


@strawberry.input
class CreateProjectInput:
    title: str
    address: str
    location: GeoPointInput
    area_sqm: float
    budget_cents: int
    description: str = ""


@strawberry.input(
    description="All eight are required: one VERIFIED enterprise of each kind and, for each, a "
    "member of it in the matching role."
)
class ProjectTeamInput:
    design_enterprise_id: strawberry.ID
    decoration_enterprise_id: strawberry.ID
    supervision_enterprise_id: strawberry.ID
    supplier_enterprise_id: strawberry.ID
    designer_id: strawberry.ID
    project_manager_id: strawberry.ID
    supervisor_id: strawberry.ID
    material_budgeter_id: strawberry.ID


@strawberry.type
class ProjectsQuery:
    @strawberry.field(description="A project you take part in (NOT_FOUND otherwise).")
    async def project(self, info: Info, id: strawberry.ID) -> Project | None:
        return Project.from_model(await projects.get_project(info.context, id))

    @strawberry.field(
        description="Your projects, newest first: as customer, assigned person or owner of a "
        "chosen enterprise. ADMIN sees all."
    )
    async def projects(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        status: ProjectStatus | None = None,
    ) -> Connection[Project]:
        page = await projects.list_projects(info.context, first, after, status)
        return connection(page, Project.from_model)


@strawberry.type
class ProjectsMutation:
    @strawberry.mutation(description="CUSTOMER: start a renovation project (PLANNING).")
    async def create_project(self, info: Info, input: CreateProjectInput) -> Project:
        project = await projects.create_project(
            info.context,
            projects.NewProject(
                title=input.title,
                address=input.address,
                lat=input.location.lat,
                lng=input.location.lng,
                area_sqm=input.area_sqm,
                budget_cents=input.budget_cents,
                description=input.description,
            ),
        )
        return Project.from_model(project)

    @strawberry.mutation(
        description="The customer chooses the team (PLANNING -> CONTRACTING), or changes it "
        "while CONTRACTING and no contract has been drafted."
    )
    async def assign_project_team(
        self, info: Info, project_id: strawberry.ID, input: ProjectTeamInput
    ) -> Project:
        choice = projects.TeamChoice(
            ids={
                "designEnterpriseId": input.design_enterprise_id,
                "decorationEnterpriseId": input.decoration_enterprise_id,
                "supervisionEnterpriseId": input.supervision_enterprise_id,
                "supplierEnterpriseId": input.supplier_enterprise_id,
                "designerId": input.designer_id,
                "projectManagerId": input.project_manager_id,
                "supervisorId": input.supervisor_id,
                "materialBudgeterId": input.material_budgeter_id,
            }
        )
        return Project.from_model(await projects.assign_team(info.context, project_id, choice))

    @strawberry.mutation(
        description="The customer cancels the project before its contract is filed."
    )
    async def cancel_project(self, info: Info, project_id: strawberry.ID, reason: str) -> Project:
        return Project.from_model(await projects.cancel_project(info.context, project_id, reason))
