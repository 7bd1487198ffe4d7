"""The permission matrix of milestones and site cameras: every standing of Renovation.actors()
against every operation, with the exact code. Outsiders learn nothing (NOT_FOUND), participants
of the wrong role are FORBIDDEN, anonymous callers UNAUTHENTICATED; every refusal changes
nothing, and then the one allowed caller succeeds."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.api import Api
from tests.support.cameras import CAMERAS, POST, REGISTER, camera, register, shot
from tests.support.milestones import (
    APPROVE,
    INSPECT,
    MILESTONES,
    READY,
    REPORT,
    assert_refused,
    drive,
    milestone_ids,
    progress,
    verdict,
)
from tests.support.renovation import OUTSIDERS, PARTICIPANTS, Renovation

OK = "OK"


def expect(*allowed: str, everyone: bool = False) -> dict[str, str]:
    """Outsiders NOT_FOUND, anonymous UNAUTHENTICATED; the participants OK if allowed (or all
    of them, for reading), FORBIDDEN otherwise."""
    table = {name: "NOT_FOUND" for name in OUTSIDERS} | {"anonymous": "UNAUTHENTICATED"}
    for name in PARTICIPANTS:
        table[name] = OK if everyone or name in allowed else "FORBIDDEN"
    return table


Setup = Callable[[Renovation], Awaitable[dict[str, Any]]]


async def _first_milestone(scene: Renovation, to: str | None = None) -> str:
    first, *_ = await milestone_ids(scene)
    if to is not None:
        await drive(scene, first, to)
    return first


async def _project(scene: Renovation) -> dict[str, Any]:
    return {"id": scene.project_id}


async def _report(scene: Renovation) -> dict[str, Any]:
    return {"id": await _first_milestone(scene), "input": progress(30)}


async def _ready(scene: Renovation) -> dict[str, Any]:
    return {"id": await _first_milestone(scene, "IN_PROGRESS")}


async def _inspect(scene: Renovation) -> dict[str, Any]:
    return {"id": await _first_milestone(scene, "READY_FOR_INSPECTION"), "input": verdict()}


async def _approve(scene: Renovation) -> dict[str, Any]:
    return {"id": await _first_milestone(scene, "PASSED")}


async def _register(scene: Renovation) -> dict[str, Any]:
    return {"id": scene.project_id, "input": camera()}


async def _post(scene: Renovation) -> dict[str, Any]:
    created = await register(scene, "Kitchen")
    return {"id": created["id"], "input": shot()}


async def _list_cameras(scene: Renovation) -> dict[str, Any]:
    await register(scene, "Kitchen")
    return {"id": scene.project_id, "first": 5}


@dataclass
class Row:
    name: str
    query: str
    setup: Setup
    expected: dict[str, str]
    what: str  # how an outsider's NOT_FOUND names the object


MATRIX = [
    Row("milestones", MILESTONES, _project, expect(everyone=True), "Project"),
    Row("reportProgress", REPORT, _report, expect("project_manager"), "Milestone"),
    Row("markMilestoneReady", READY, _ready, expect("project_manager"), "Milestone"),
    Row("inspectMilestone", INSPECT, _inspect, expect("supervisor"), "Milestone"),
    Row("approveMilestone", APPROVE, _approve, expect("customer"), "Milestone"),
    Row("siteCameras", CAMERAS, _list_cameras, expect(everyone=True), "Project"),
    Row("registerSiteCamera", REGISTER, _register, expect("project_manager"), "Project"),
    Row("postCameraSnapshot", POST, _post, expect("project_manager"), "Camera"),
]

FORBIDDEN_TEXT = {
    "reportProgress": "Only the project manager reports construction progress.",
    "markMilestoneReady": "Only the project manager reports construction progress.",
    "inspectMilestone": "Only the supervisor of the project inspects milestones.",
    "approveMilestone": "Only the customer approves a milestone.",
    "registerSiteCamera": "Only the project manager manages site cameras.",
    "postCameraSnapshot": "Only the project manager manages site cameras.",
}


@pytest.mark.parametrize("row", MATRIX, ids=[row.name for row in MATRIX])
async def test_permission_matrix(api: Api, app: Any, row: Row) -> None:
    scene = await Renovation.build(api, app, contract=True)
    variables = await row.setup(scene)
    actors = scene.actors()
    assert set(actors) == set(row.expected)

    # Refused standings first: each must leave everything as it was.
    for name, code in sorted(row.expected.items(), key=lambda item: item[1] == OK):
        if code == OK:
            continue
        message = {
            "NOT_FOUND": f"{row.what} {variables['id']} was not found.",
            "UNAUTHENTICATED": "Sign in first: send Authorization: Bearer <token>.",
            "FORBIDDEN": FORBIDDEN_TEXT.get(row.name),
        }[code]
        await assert_refused(
            api, scene.project_id, row.query, variables, actors[name], code, message
        )

    allowed = [name for name, code in row.expected.items() if code == OK]
    for name in allowed:
        body = await api.call(row.query, variables, actors[name])
        assert "errors" not in body, (name, body)
