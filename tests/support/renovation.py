"""A renovation, built through the API as its users would: the factory every project test
starts from.

`Renovation.build(api, app)` registers four enterprises (one of each kind), has an ADMIN verify
them, has each owner invite one person of the right role (who accepts), and lets a customer
create a project; with `team=True` the customer assigns that team, and with `contract=True` the
project manager drafts the five-stage contract and both sides sign it (the contract is filed and
the milestones exist). On a pristine database the scene is one built the same way once per run,
copied in (tests/support/snapshots.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from models import Role, User
from resolvers.tokens import hash_password, issue_token
from tests.support import snapshots
from tests.support.api import Actor, Api

PASSWORD = "correct horse battery"

STAGES = [
    {"name": "Plumbing & electrical", "percent": 20},
    {"name": "Masonry & tiling", "percent": 25},
    {"name": "Carpentry", "percent": 20},
    {"name": "Painting", "percent": 20},
    {"name": "Completion", "percent": 15},
]
CONTRACT_TOTAL_CENTS = 4_000_000  # 40,000.00

# The standings of `Renovation.actors()`, for permission matrices.
TEAM = ["designer", "project_manager", "supervisor", "material_budgeter"]
OWNERS = ["decoration_owner", "supplier_owner"]
PARTICIPANTS = ["customer", *TEAM, *OWNERS, "admin"]
OUTSIDERS = ["other_customer", "worker", "other_staff"]
ACTORS = [*PARTICIPANTS, *OUTSIDERS, "anonymous"]

# (enterprise kind, member role, team input key of the enterprise, of the person)
SEATS = [
    ("DESIGN", "DESIGNER", "designEnterpriseId", "designerId"),
    ("DECORATION", "PROJECT_MANAGER", "decorationEnterpriseId", "projectManagerId"),
    ("SUPERVISION", "SUPERVISOR", "supervisionEnterpriseId", "supervisorId"),
    ("MATERIAL_SUPPLIER", "MATERIAL_BUDGETER", "supplierEnterpriseId", "materialBudgeterId"),
]


async def make_admin(app: Any) -> Actor:
    """ADMINs are never self-registered (`python server.py create-admin`): one is made with the
    ORM and given the token `login` would return."""
    email = f"admin-{uuid.uuid4().hex[:10]}@example.com"
    user = await User.create(
        email=email,
        password_hash=await hash_password(PASSWORD),
        display_name="Admin",
        role=Role.ADMIN,
    )
    settings = app.state.fixhub.settings
    token = issue_token(user, settings.secret_key, settings.token_ttl_seconds)
    return Actor(str(user.id), token, email, "ADMIN")


@dataclass
class Firm:
    kind: str
    enterprise_id: str
    owner: Actor
    person: Actor  # the member of the seat's role


REGISTER_ENTERPRISE = """
mutation($input: RegisterEnterpriseInput!) {
  registerEnterprise(input: $input) { id status kind }
}"""
VERIFY_ENTERPRISE = """
mutation($id: ID!, $approved: Boolean!, $note: String) {
  verifyEnterprise(id: $id, approved: $approved, note: $note) { id status }
}"""
INVITE_MEMBER = """
mutation($enterpriseId: ID!, $email: String!, $role: MemberRole!) {
  inviteEnterpriseMember(enterpriseId: $enterpriseId, email: $email, role: $role) {
    id email role status expiresAt
  }
}"""
ACCEPT_INVITATION = """
mutation($id: ID!) { acceptEnterpriseInvitation(id: $id) { id role } }"""
CREATE_PROJECT = """
mutation($input: CreateProjectInput!) { createProject(input: $input) { id status } }"""
ASSIGN_TEAM = """
mutation($id: ID!, $input: ProjectTeamInput!) {
  assignProjectTeam(projectId: $id, input: $input) { id status }
}"""
DRAFT_CONTRACT = """
mutation($id: ID!, $input: ContractInput!) {
  draftContract(projectId: $id, input: $input) { id revision status }
}"""
SIGN_CONTRACT = """
mutation($id: ID!, $revision: Int!) {
  signContract(projectId: $id, revision: $revision) { id status }
}"""
MILESTONES = """
query($id: ID!) { milestones(projectId: $id) { id position name amountCents status } }"""


async def register_enterprise(
    api: Api, owner: Actor, kind: str, *, city: str = "Berlin", name: str | None = None
) -> str:
    data = await api.ok(
        REGISTER_ENTERPRISE,
        {
            "input": {
                "name": name or f"{kind.title()} {uuid.uuid4().hex[:6]} GmbH",
                "kind": kind,
                "licenseNumber": f"LIC-{uuid.uuid4().hex[:12]}",
                "city": city,
                "contactEmail": owner.email,
                "description": f"A {kind.lower()} company.",
            }
        },
        owner,
    )
    return data["registerEnterprise"]["id"]


async def verified_firm(api: Api, admin: Actor, kind: str, role: str, city: str = "Berlin") -> Firm:
    owner = await api.register("ENTERPRISE_STAFF", name=f"{kind.title()} owner")
    enterprise_id = await register_enterprise(api, owner, kind, city=city)
    await api.ok(VERIFY_ENTERPRISE, {"id": enterprise_id, "approved": True, "note": "ok"}, admin)
    person = await api.register("ENTERPRISE_STAFF", name=role.replace("_", " ").title())
    await add_member(api, owner, enterprise_id, person, role)
    return Firm(kind, enterprise_id, owner, person)


async def add_member(api: Api, owner: Actor, enterprise_id: str, person: Actor, role: str) -> str:
    """The owner invites `person` by email and the person accepts: the member's id."""
    data = await api.ok(
        INVITE_MEMBER, {"enterpriseId": enterprise_id, "email": person.email, "role": role}, owner
    )
    invitation_id = data["inviteEnterpriseMember"]["id"]
    accepted = await api.ok(ACCEPT_INVITATION, {"id": invitation_id}, person)
    return accepted["acceptEnterpriseInvitation"]["id"]


@dataclass
class Renovation:
    api: Api
    admin: Actor
    customer: Actor
    firms: dict[str, Firm]  # by enterprise kind
    project_id: str
    outsiders: dict[str, Actor] = field(default_factory=dict)

    @property
    def designer(self) -> Actor:
        return self.firms["DESIGN"].person

    @property
    def project_manager(self) -> Actor:
        return self.firms["DECORATION"].person

    @property
    def supervisor(self) -> Actor:
        return self.firms["SUPERVISION"].person

    @property
    def material_budgeter(self) -> Actor:
        return self.firms["MATERIAL_SUPPLIER"].person

    @property
    def decoration_owner(self) -> Actor:
        return self.firms["DECORATION"].owner

    @property
    def supplier_owner(self) -> Actor:
        return self.firms["MATERIAL_SUPPLIER"].owner

    def actors(self) -> dict[str, Actor | None]:
        """Every standing a permission test checks: the parties, the team, the owners of the
        chosen firms, ADMIN, and the outsiders who must be refused."""
        return {
            "customer": self.customer,
            "designer": self.designer,
            "project_manager": self.project_manager,
            "supervisor": self.supervisor,
            "material_budgeter": self.material_budgeter,
            "decoration_owner": self.decoration_owner,
            "supplier_owner": self.supplier_owner,
            "admin": self.admin,
            **self.outsiders,
            "anonymous": None,
        }

    @classmethod
    async def build(
        cls, api: Api, app: Any, *, team: bool = True, contract: bool = False
    ) -> Renovation:
        snapshot = await snapshots.usable_snapshot(app, team, contract)
        if snapshot is not None:  # the same scene, built once per run (tests/support/snapshots.py)
            await snapshots.restore(snapshot, app)
            return cls(api, **snapshots.scene_fields(snapshot))
        return await cls.build_through_api(api, app, team=team, contract=contract)

    @classmethod
    async def build_through_api(
        cls, api: Api, app: Any, *, team: bool = True, contract: bool = False
    ) -> Renovation:
        return await cls.build_with(api, await make_admin(app), team=team, contract=contract)

    @classmethod
    async def build_with(
        cls, api: Api, admin: Actor, *, team: bool = True, contract: bool = False
    ) -> Renovation:
        """The scene with a given ADMIN (a server in another process has no app to make one)."""
        firms = {kind: await verified_firm(api, admin, kind, role) for kind, role, _, _ in SEATS}
        customer = await api.register("CUSTOMER", name="Renovating customer")
        data = await api.ok(
            CREATE_PROJECT,
            {
                "input": {
                    "title": "Flat renovation, Prenzlauer Berg",
                    "address": "Kastanienallee 12, Berlin",
                    "location": {"lat": 52.538, "lng": 13.41},
                    "areaSqm": 85.5,
                    "budgetCents": 4_500_000,
                    "description": "Full renovation of a two-room flat.",
                }
            },
            customer,
        )
        outsiders = {
            "other_customer": await api.register("CUSTOMER"),
            "worker": await api.register("WORKER"),
            "other_staff": await api.register("ENTERPRISE_STAFF"),
        }
        scene = cls(api, admin, customer, firms, data["createProject"]["id"], outsiders)
        if team or contract:
            await scene.assign_team()
        if contract:
            await scene.sign_contract()
        return scene

    def team_input(self) -> dict[str, str]:
        team: dict[str, str] = {}
        for kind, _, enterprise_key, person_key in SEATS:
            team[enterprise_key] = self.firms[kind].enterprise_id
            team[person_key] = self.firms[kind].person.id
        return team

    async def assign_team(self) -> None:
        await self.api.ok(
            ASSIGN_TEAM, {"id": self.project_id, "input": self.team_input()}, self.customer
        )

    async def sign_contract(
        self, total_cents: int = CONTRACT_TOTAL_CENTS, stages: list[dict[str, Any]] | None = None
    ) -> None:
        drafted = await self.api.ok(
            DRAFT_CONTRACT,
            {
                "id": self.project_id,
                "input": {
                    "totalCents": total_cents,
                    "stages": stages or STAGES,
                    "terms": "Work per the confirmed design; defects fixed within 14 days.",
                },
            },
            self.project_manager,
        )
        revision = drafted["draftContract"]["revision"]
        for signer in (self.customer, self.decoration_owner):
            await self.api.ok(SIGN_CONTRACT, {"id": self.project_id, "revision": revision}, signer)

    async def milestones(self) -> list[dict[str, Any]]:
        data = await self.api.ok(MILESTONES, {"id": self.project_id}, self.customer)
        return data["milestones"]
