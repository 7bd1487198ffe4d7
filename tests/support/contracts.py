"""Helpers of tests/api/test_contracts.py, shared with the tests that build on it."""

from __future__ import annotations

from typing import Any

from models import (
    Contract,
    DesignProposal,
    MaterialDelivery,
    MaterialPlan,
    Milestone,
    Notification,
    Project,
    ProjectEvent,
    ProjectRecord,
)
from tests.support.api import Actor, Api
from tests.support.renovation import CONTRACT_TOTAL_CENTS, PARTICIPANTS, STAGES, Renovation

OK = "OK"


TERMS = "Work per the confirmed design; defects fixed within 14 days."


CONTRACT_FIELDS = """id revision totalCents currency status terms customerSignedAt
  enterpriseSignedAt enterpriseSignedBy { id } draftedBy { id }
  stages { position name percent amountCents }
  record { id kind subject version filingNumber sha256 contentText content }"""


DRAFT = f"""
mutation($id: ID!, $input: ContractInput!) {{
  draftContract(projectId: $id, input: $input) {{ {CONTRACT_FIELDS} }}
}}"""


SIGN = f"""
mutation($id: ID!, $revision: Int!) {{
  signContract(projectId: $id, revision: $revision) {{ {CONTRACT_FIELDS} }}
}}"""


EVENTS = """
query($id: ID!) {
  projectEvents(projectId: $id, first: 100) { edges { node { kind summary data } } }
}"""


NOTIFICATIONS = """
{ notifications(first: 100) { edges { node { kind title body data } } } }"""


def contract_input(
    total_cents: int = CONTRACT_TOTAL_CENTS,
    stages: list[dict[str, Any]] | None = None,
    terms: str = TERMS,
) -> dict[str, Any]:
    return {
        "totalCents": total_cents,
        "stages": STAGES if stages is None else stages,
        "terms": terms,
    }


async def draft(api: Api, scene: Renovation, **overrides: Any) -> dict[str, Any]:
    data = await api.ok(
        DRAFT, {"id": scene.project_id, "input": contract_input(**overrides)}, scene.project_manager
    )
    return data["draftContract"]


async def feed(api: Api, scene: Renovation) -> list[dict[str, Any]]:
    """The project's feed, oldest first."""
    data = await api.ok(EVENTS, {"id": scene.project_id}, scene.customer)
    return [edge["node"] for edge in reversed(data["projectEvents"]["edges"])]


async def notifications(api: Api, actor: Actor) -> list[dict[str, Any]]:
    """The actor's notifications, oldest first."""
    data = await api.ok(NOTIFICATIONS, actor=actor)
    return [edge["node"] for edge in reversed(data["notifications"]["edges"])]


async def notified_kinds(api: Api, actor: Actor) -> list[str]:
    return [n["kind"] for n in await notifications(api, actor)]


async def project_state(project_id: str) -> tuple[Any, ...]:
    """Everything a refused call must leave alone, read straight from the database."""
    ident = int(project_id)
    project = await Project.get(id=ident)
    contract = await Contract.get_or_none(project_id=ident)
    deliveries = await MaterialDelivery.filter(project_id=ident).order_by("id")
    proposals = await DesignProposal.filter(project_id=ident).order_by("id")
    return (
        project.status,
        project.updated_at,
        project.records_filed,
        None
        if contract is None
        else (
            contract.revision,
            contract.status,
            contract.total_cents,
            contract.customer_signed_at,
            contract.enterprise_signed_at,
            contract.record_id,
        ),
        [(d.id, d.status, d.missing_items, d.confirmed_by_id) for d in deliveries],
        [(p.id, p.status, p.record_id) for p in proposals],
        await MaterialPlan.filter(project_id=ident).count(),
        await Milestone.filter(project_id=ident).count(),
        await ProjectRecord.filter(project_id=ident).count(),
        await ProjectEvent.filter(project_id=ident).count(),
        await Notification.all().count(),
    )


async def check_matrix(
    api: Api,
    scene: Renovation,
    query: str,
    variables: dict[str, Any],
    expected: dict[str, str],
    *,
    skip: frozenset[str] | set[str] = frozenset(),
) -> None:
    """Every actor of the scene gets exactly its expected outcome; refused ones go first and
    must change nothing. `skip`: allowed actors the caller checks separately (an object that
    moves only once can show one allowed actor at a time)."""
    actors = scene.actors()
    assert set(expected) == set(actors), set(actors) ^ set(expected)
    assert all(expected[role] == OK for role in skip)
    ordered = sorted(
        ((role, code) for role, code in expected.items() if role not in skip),
        key=lambda item: item[1] == OK,
    )
    before = await project_state(scene.project_id)
    for role, outcome in ordered:
        body = await api.call(query, variables, actors[role])
        if outcome == OK:
            assert "errors" not in body, (role, body)
            continue
        assert body.get("errors"), (role, body)
        codes = [error["extensions"]["code"] for error in body["errors"]]
        assert codes == [outcome], (role, body)
        assert await project_state(scene.project_id) == before, role


def refused_except(allowed: set[str], *, viewers_forbidden: bool = True) -> dict[str, str]:
    """The usual outcomes: `allowed` OK, the other participants (and ADMIN) FORBIDDEN,
    outsiders NOT_FOUND, anonymous UNAUTHENTICATED."""
    participants = set(PARTICIPANTS)
    outcome = {role: OK if role in allowed else "FORBIDDEN" for role in participants}
    if not viewers_forbidden:
        outcome = {role: OK for role in participants}
    return {
        **outcome,
        "other_customer": "NOT_FOUND",
        "worker": "NOT_FOUND",
        "other_staff": "NOT_FOUND",
        "anonymous": "UNAUTHENTICATED",
    }
