# Chinese text keeps its full-width punctuation on purpose.
# ruff: noqa: RUF001
"""The enterprise library: two verified firms of each kind, each with its owner and a member
who accepted an invitation, invitations still awaiting an answer, and one application the
ADMIN has not decided yet."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from demo.city import EMAIL_DOMAIN, Person
from demo.scene import Scene, Step

# (kind, member role, [(firm name, the key names of its owner and member or "")])
KINDS = (
    (
        "DESIGN",
        "DESIGNER",
        (
            ("境屋室内设计 Jingwu Interior Design", "", "designer"),
            ("外滩线设计工作室 Bund Line Design Studio", "", ""),
        ),
    ),
    (
        "DECORATION",
        "PROJECT_MANAGER",
        (
            ("申城匠心装饰工程 Shencheng Craft Decoration", "decoration_owner", "pm"),
            ("华亭家装 Huating Home Renovation", "", ""),
        ),
    ),
    (
        "SUPERVISION",
        "SUPERVISOR",
        (
            ("沪监工程监理 Hujian Construction Supervision", "", "supervisor"),
            ("浦东质检监理 Pudong Quality Supervision", "", ""),
        ),
    ),
    (
        "MATERIAL_SUPPLIER",
        "MATERIAL_BUDGETER",
        (
            ("东方建材供应链 Dongfang Building Materials", "supplier_owner", "budgeter"),
            ("金桥瓷砖木材 Jinqiao Tiles & Timber", "", ""),
        ),
    ),
)
# What the key accounts are shown doing in the summary.
SEES = {
    "designer": "the renovation: design proposals (one confirmed), the project thread",
    "pm": "runs the renovation: contract, milestones, progress, camera, deliveries",
    "supervisor": "the renovation's inspections (one failed, one passed) and escrow",
    "budgeter": "the renovation's material plan and deliveries",
    "decoration_owner": "owns 申城匠心装饰: members, the signed contract, the escrow release",
    "supplier_owner": "owns 东方建材: members and the deliveries to the renovation",
}
# Real-looking (but invented) unified social credit codes of Shanghai companies.
LICENCE_PREFIX = "91310"

REGISTER_ENTERPRISE = """mutation($input: RegisterEnterpriseInput!) {
  registerEnterprise(input: $input) { id } }"""
VERIFY = """mutation($id: ID!, $note: String) {
  verifyEnterprise(id: $id, approved: true, note: $note) { id } }"""
INVITE = """mutation($enterprise: ID!, $email: String!, $role: MemberRole!) {
  inviteEnterpriseMember(enterpriseId: $enterprise, email: $email, role: $role) { id } }"""
ACCEPT = "mutation($id: ID!) { acceptEnterpriseInvitation(id: $id) { id } }"


@dataclass
class Firm:
    kind: str
    enterprise_id: str
    owner_id: str
    member_id: str  # the user id of the member in the kind's role


def steps(scene: Scene) -> list[Step]:
    plan: list[Step] = []
    for kind, role, firms in KINDS:
        for name, owner_key, member_key in firms:
            plan.append(
                (
                    f"firm {name.split(' ', 1)[-1]}",
                    partial(firm, scene, kind, role, name, owner_key, member_key),
                )
            )
    plan.append(("invitations awaiting an answer", lambda: pending_invitations(scene)))
    plan.append(("an application awaiting verification", lambda: pending_application(scene)))
    return plan


def _local(key: str) -> str | None:
    """The key people sign in as pm@, decoration.owner@, ...; the others by their names."""
    return key.replace("_", ".") if key else None


def licence(scene: Scene) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    district_code = scene.city.random.choice(("04", "05", "06", "07", "09", "10", "15"))
    tail = "".join(scene.city.random.choice(alphabet) for _ in range(11))
    return f"{LICENCE_PREFIX}{district_code}{tail}"


async def register_enterprise(scene: Scene, owner_key: str, kind: str, name: str) -> tuple:
    owner = await scene.register(
        "ENTERPRISE_STAFF",
        local=_local(owner_key),
        key=owner_key or None,
        sees=SEES.get(owner_key, ""),
    )
    enterprise = await scene.gql.ok(
        REGISTER_ENTERPRISE,
        {
            "input": {
                "name": name,
                "kind": kind,
                "licenseNumber": licence(scene),
                "city": "Shanghai",
                "contactEmail": owner.email,
                "description": f"{name.split(' ', 1)[0]}，上海本地企业。Based in Shanghai.",
            }
        },
        by=owner,
    )
    return owner, enterprise["id"]


async def firm(
    scene: Scene, kind: str, role: str, name: str, owner_key: str, member_key: str
) -> None:
    gql = scene.gql
    owner, enterprise_id = await register_enterprise(scene, owner_key, kind, name)
    await gql.ok(
        VERIFY, {"id": enterprise_id, "note": "营业执照已核验 Licence checked"}, by=scene.admin
    )
    member = await scene.register(
        "ENTERPRISE_STAFF",
        local=_local(member_key),
        key=member_key or None,
        sees=SEES.get(member_key, ""),
    )
    invitation = await gql.ok(
        INVITE, {"enterprise": enterprise_id, "email": member.email, "role": role}, by=owner
    )
    await gql.ok(ACCEPT, {"id": invitation["id"]}, by=member)
    scene.counts[f"firms: {kind}"] += 1
    scene.counts["firm members"] += 1
    scene.ids.setdefault("firms", {}).setdefault(kind, []).append(
        Firm(kind, enterprise_id, owner.id, member.id)
    )
    scene.ids.setdefault("firm_owners", {})[enterprise_id] = owner


async def pending_invitations(scene: Scene) -> None:
    """A designer with an account has an invitation to answer; the decoration firm invited
    a new hire who has not signed up yet."""
    design = scene.ids["firms"]["DESIGN"][0]
    decoration = scene.ids["firms"]["DECORATION"][0]
    invitee = await scene.register(
        "ENTERPRISE_STAFF",
        Person("赵雨桐 Zhao Yutong", "zhao.yutong"),
        local="invitee",
        key="invitee",
        sees="an invitation from 境屋室内设计 awaiting her answer",
    )
    owners = scene.ids["firm_owners"]
    await scene.gql.ok(
        INVITE,
        {"enterprise": design.enterprise_id, "email": invitee.email, "role": "DESIGNER"},
        by=owners[design.enterprise_id],
    )
    await scene.gql.ok(
        INVITE,
        {
            "enterprise": decoration.enterprise_id,
            "email": f"new.hire@{EMAIL_DOMAIN}",
            "role": "PROJECT_MANAGER",
        },
        by=owners[decoration.enterprise_id],
    )
    scene.counts["invitations pending"] += 2


async def pending_application(scene: Scene) -> None:
    await register_enterprise(scene, "", "DECORATION", "闵行安居装饰 Minhang Anju Decoration")
    scene.counts["firms awaiting verification"] += 1
