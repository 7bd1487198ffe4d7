"""Helpers of tests/api/test_milestones.py, shared with the tests that build on it."""

from __future__ import annotations

from typing import Any

from models import (
    CameraSnapshot,
    Inspection,
    Milestone,
    Notification,
    ProgressReport,
    Project,
    ProjectEvent,
    ProjectRecord,
    SiteCamera,
)
from tests.support.api import Actor, Api
from tests.support.renovation import Renovation

REPORT = """
mutation($id: ID!, $input: ProgressInput!) {
  reportProgress(milestoneId: $id, input: $input) {
    id milestoneId percent note photoUrls reporter { id displayName } createdAt
  }
}"""


READY = """
mutation($id: ID!) { markMilestoneReady(milestoneId: $id) { id status progressPercent } }"""


INSPECT = """
mutation($id: ID!, $input: InspectionInput!) {
  inspectMilestone(milestoneId: $id, input: $input) {
    id milestoneId passed findings photoUrls supervisor { id }
    record { id kind subject version supersedesId supersededById sha256 content }
  }
}"""


APPROVE = """
mutation($id: ID!) {
  approveMilestone(milestoneId: $id) { id status approvedAt releasedAt }
}"""


# Each milestone's first few reports and inspections (the tests make at most two of each):
# all 100 of each, with 20 photos a report, of all ten milestones would be over the budget.
MILESTONES = """
query($id: ID!) {
  milestones(projectId: $id) {
    id projectId position name percent amountCents status progressPercent approvedAt releasedAt
    progressReports(first: 5) { id percent note photoUrls reporter { id displayName } }
    inspections(first: 5) { id passed findings supervisor { id } record { id version subject } }
  }
}"""


EVENTS = """
query($id: ID!) {
  projectEvents(projectId: $id, first: 100) { edges { node { kind summary data actor { id } } } }
}"""


PHOTO = "https://photos.example.com/site/1.jpg"


def progress(percent: int = 100, note: str = "Done.", photos: list[str] | None = None) -> dict:
    return {"percent": percent, "note": note, "photoUrls": photos if photos is not None else []}


def verdict(passed: bool = True, findings: str = "All to standard.") -> dict:
    return {"passed": passed, "findings": findings, "photoUrls": [PHOTO]}


async def report(scene: Renovation, milestone_id: str, percent: int = 100) -> dict[str, Any]:
    data = await scene.api.ok(
        REPORT, {"id": milestone_id, "input": progress(percent)}, scene.project_manager
    )
    return data["reportProgress"]


async def ready(scene: Renovation, milestone_id: str) -> dict[str, Any]:
    data = await scene.api.ok(READY, {"id": milestone_id}, scene.project_manager)
    return data["markMilestoneReady"]


async def inspect(scene: Renovation, milestone_id: str, passed: bool = True) -> dict[str, Any]:
    data = await scene.api.ok(
        INSPECT,
        {"id": milestone_id, "input": verdict(passed, "Fine." if passed else "Tiles uneven.")},
        scene.supervisor,
    )
    return data["inspectMilestone"]


async def approve(scene: Renovation, milestone_id: str) -> dict[str, Any]:
    data = await scene.api.ok(APPROVE, {"id": milestone_id}, scene.customer)
    return data["approveMilestone"]


STEPS = ["IN_PROGRESS", "READY_FOR_INSPECTION", "PASSED", "APPROVED"]


async def drive(scene: Renovation, milestone_id: str, to: str) -> None:
    """From PENDING to `to` (IN_PROGRESS means reported 100 % done)."""
    actions = [report, ready, inspect, approve]
    for action in actions[: STEPS.index(to) + 1]:
        await action(scene, milestone_id)


async def milestone_ids(scene: Renovation) -> list[str]:
    return [m["id"] for m in await scene.milestones()]


async def events(scene: Renovation, kinds: set[str] | None = None) -> list[dict[str, Any]]:
    """The project's feed, oldest first."""
    data = await scene.api.ok(EVENTS, {"id": scene.project_id}, scene.customer)
    nodes = [edge["node"] for edge in reversed(data["projectEvents"]["edges"])]
    return [node for node in nodes if kinds is None or node["kind"] in kinds]


async def state(project_id: str) -> dict[str, Any]:
    """Everything a milestone or camera call could change, to prove a refusal changed nothing."""
    pid = int(project_id)
    project = await Project.get(id=pid)
    return {
        "project": (project.status, project.deposited_cents, project.released_cents),
        "milestones": await Milestone.filter(project_id=pid)
        .order_by("id")
        .values_list("id", "status", "progress_percent", "approved_at", "released_at"),
        "reports": await ProgressReport.filter(milestone__project_id=pid).count(),
        "inspections": await Inspection.filter(milestone__project_id=pid).count(),
        "records": await ProjectRecord.filter(project_id=pid).count(),
        "events": await ProjectEvent.filter(project_id=pid).count(),
        "notifications": await Notification.all().count(),
        "cameras": await SiteCamera.filter(project_id=pid).count(),
        "snapshots": await CameraSnapshot.filter(camera__project_id=pid).count(),
    }


async def assert_refused(
    api: Api,
    project_id: str,
    query: str,
    variables: dict[str, Any],
    actor: Actor | None,
    code: str,
    message: str | None = None,
    field: str | None = None,
) -> None:
    """The call fails with exactly this error and leaves everything as it was."""
    before = await state(project_id)
    body = await api.call(query, variables, actor)
    assert body.get("errors"), body
    [error] = body["errors"]
    assert error["extensions"]["code"] == code, body
    if message is not None:
        assert error["message"] == message, body
    if field is not None:
        assert error["extensions"]["field"] == field, body
    assert await state(project_id) == before
