"""Site cameras through the API: registering, posting snapshots, listing the newest first, the
feed, validation, refusals that change nothing, and the query count of the camera list."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.api import Api
from tests.support.cameras import CAMERAS, POST, REGISTER, STREAM, camera, register, shot
from tests.support.milestones import assert_refused, drive, events, milestone_ids
from tests.support.query_count import StatementCounter
from tests.support.renovation import Renovation

CAMERAS_DEFAULT = """
query($id: ID!) { siteCameras(projectId: $id) { id snapshots { id } } }"""
CANCEL = """
mutation($id: ID!, $reason: String!) { cancelProject(projectId: $id, reason: $reason) { id } }"""


async def post(scene: Renovation, camera_id: str, minutes_ago: int = 0) -> dict[str, Any]:
    data = await scene.api.ok(
        POST, {"id": camera_id, "input": shot(minutes_ago)}, scene.project_manager
    )
    return data["postCameraSnapshot"]


async def list_cameras(scene: Renovation, first: int | None = None) -> list[dict[str, Any]]:
    data = await scene.api.ok(CAMERAS, {"id": scene.project_id, "first": first}, scene.customer)
    return data["siteCameras"]


@pytest.fixture
async def scene(api: Api, app: Any) -> Renovation:
    return await Renovation.build(api, app, contract=True)


async def test_register_and_watch_a_camera(scene: Renovation) -> None:
    created = await register(scene)
    older = await post(scene, created["id"], minutes_ago=30)
    newer = await post(scene, created["id"], minutes_ago=5)
    backfilled = await post(scene, created["id"], minutes_ago=60)  # posted last, taken first

    assert created | {"id": None, "createdAt": None} == {
        "id": None,
        "projectId": scene.project_id,
        "name": "Entrance",
        "streamUrl": STREAM,
        "registeredBy": {"id": scene.project_manager.id},
        "createdAt": None,
        "snapshots": [],
    }
    assert newer["cameraId"] == created["id"]
    assert newer["postedBy"] == {"id": scene.project_manager.id}
    assert newer["caption"] == "Morning"
    [listed] = await list_cameras(scene)
    assert listed["registeredBy"] == {
        "id": scene.project_manager.id,
        "displayName": "Project Manager",
    }
    assert [s["id"] for s in listed["snapshots"]] == [newer["id"], older["id"], backfilled["id"]]
    assert [s["id"] for s in (await list_cameras(scene, first=2))[0]["snapshots"]] == [
        newer["id"],
        older["id"],
    ]
    feed = await events(scene, {"CAMERA_REGISTERED", "SNAPSHOT_POSTED"})
    assert [e["kind"] for e in feed] == ["CAMERA_REGISTERED"] + ["SNAPSHOT_POSTED"] * 3
    assert feed[0]["data"] == {"cameraId": int(created["id"]), "name": "Entrance"}
    assert feed[2]["data"]["snapshotId"] == int(newer["id"])
    assert feed[2]["data"]["cameraId"] == int(created["id"])
    assert feed[2]["data"]["imageUrl"] == "https://cams.example.com/site-12/5.jpg"
    assert all(e["actor"] == {"id": scene.project_manager.id} for e in feed)


async def test_snapshots_default_to_the_newest_ten_per_camera(scene: Renovation) -> None:
    entrance = await register(scene, "Entrance")
    kitchen = await register(scene, "Kitchen")
    entrance_shots = [await post(scene, entrance["id"], minutes_ago=n) for n in range(12)]
    kitchen_shot = await post(scene, kitchen["id"])

    data = await scene.api.ok(CAMERAS_DEFAULT, {"id": scene.project_id}, scene.supervisor)

    assert [c["id"] for c in data["siteCameras"]] == [entrance["id"], kitchen["id"]]
    first, second = data["siteCameras"]
    assert [s["id"] for s in first["snapshots"]] == [s["id"] for s in entrance_shots[:10]]
    assert [s["id"] for s in second["snapshots"]] == [kitchen_shot["id"]]


async def test_snapshots_without_a_caption(scene: Renovation) -> None:
    created = await register(scene)
    data = await scene.api.ok(
        POST, {"id": created["id"], "input": shot(caption=None)}, scene.project_manager
    )
    assert data["postCameraSnapshot"]["caption"] == ""


@pytest.mark.parametrize(
    ("change", "message", "field"),
    [
        ({"name": "  "}, "name must not be empty.", "name"),
        ({"name": "x" * 81}, "name must be at most 80 characters.", "name"),
        (
            {"streamUrl": "javascript:alert(1)"},
            "streamUrl must be an http(s) URL like https://example.com/a.jpg.",
            "streamUrl",
        ),
    ],
)
async def test_camera_validation(
    scene: Renovation, change: dict[str, str], message: str, field: str
) -> None:
    await assert_refused(
        scene.api,
        scene.project_id,
        REGISTER,
        {"id": scene.project_id, "input": camera() | change},
        scene.project_manager,
        "BAD_USER_INPUT",
        message,
        field,
    )


async def test_camera_names_are_distinct_and_cameras_bounded(scene: Renovation) -> None:
    await register(scene, "Entrance")
    await assert_refused(
        scene.api,
        scene.project_id,
        REGISTER,
        {"id": scene.project_id, "input": camera("entrance")},
        scene.project_manager,
        "CONFLICT",
        f"Project {scene.project_id} already has a camera named 'entrance'.",
    )
    for n in range(19):
        await register(scene, f"Camera {n}")
    await assert_refused(
        scene.api,
        scene.project_id,
        REGISTER,
        {"id": scene.project_id, "input": camera("One too many")},
        scene.project_manager,
        "CONFLICT",
        f"Project {scene.project_id} already has 20 cameras, the most one project may have.",
    )


@pytest.mark.parametrize(
    ("change", "message", "field"),
    [
        (
            {"imageUrl": "file:///etc/passwd"},
            "imageUrl must be an http(s) URL like https://example.com/a.jpg.",
            "imageUrl",
        ),
        ({"caption": "x" * 201}, "caption must be at most 200 characters.", "caption"),
        (
            {"takenAt": "2026-05-01T09:00:00"},
            "takenAt must include a timezone, e.g. 2026-05-01T09:00:00Z.",
            "takenAt",
        ),
        (
            {"takenAt": (datetime.now(UTC) + timedelta(hours=1)).isoformat()},
            "takenAt must not be in the future.",
            "takenAt",
        ),
    ],
)
async def test_snapshot_validation(
    scene: Renovation, change: dict[str, str], message: str, field: str
) -> None:
    created = await register(scene)
    await assert_refused(
        scene.api,
        scene.project_id,
        POST,
        {"id": created["id"], "input": shot() | change},
        scene.project_manager,
        "BAD_USER_INPUT",
        message,
        field,
    )


async def test_snapshot_page_size_is_bounded(
    scene: Renovation, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    await register(scene)
    # 51 snapshots of each of up to 20 cameras is over the default query budget, which refuses
    # it first; with room in the budget, the field's own bound answers.
    engine = app.state.fixhub.engine
    monkeypatch.setattr(engine, "settings", replace(engine.settings, max_query_cost=10**6))
    for first in (0, 51):
        body = await scene.api.call(
            CAMERAS, {"id": scene.project_id, "first": first}, scene.customer
        )
        [error] = body["errors"]
        assert error["message"] == "first must be between 1 and 50."
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}


async def test_cameras_follow_the_site_from_team_to_acceptance(api: Api, app: Any) -> None:
    contracting = await Renovation.build(api, app, team=True)
    assert await list_cameras(contracting) == []
    early = await register(contracting, "Before work")  # CONTRACTING: the site is being set up
    await api.ok(
        CANCEL, {"id": contracting.project_id, "reason": "Moved abroad."}, contracting.customer
    )
    await assert_refused(
        api,
        contracting.project_id,
        REGISTER,
        {"id": contracting.project_id, "input": camera("Late")},
        contracting.project_manager,
        "INVALID_STATE",
        f"Project {contracting.project_id} is CANCELLED; this needs it to be AWAITING_ACCEPTANCE "
        "or CONTRACTING or IN_PROGRESS or RECTIFYING.",
    )
    await assert_refused(
        api,
        contracting.project_id,
        POST,
        {"id": early["id"], "input": shot()},
        contracting.project_manager,
        "INVALID_STATE",
    )

    scene = await Renovation.build(api, app, contract=True)
    created = await register(scene)
    for ident in await milestone_ids(scene):
        await drive(scene, ident, "APPROVED")
    await post(scene, created["id"])  # AWAITING_ACCEPTANCE: still on site
    await register(scene, "Bathroom")


async def test_unknown_cameras_are_not_found(scene: Renovation) -> None:
    for ident in ("424242", "x"):
        await assert_refused(
            scene.api,
            scene.project_id,
            POST,
            {"id": ident, "input": shot()},
            scene.project_manager,
            "NOT_FOUND",
            f"Camera {ident} was not found.",
        )


async def _statements_for_cameras(
    api: Api, app: Any, monkeypatch: pytest.MonkeyPatch, cameras: int
) -> int:
    scene = await Renovation.build(api, app, contract=True)
    for n in range(cameras):
        created = await register(scene, f"Camera {n}")
        for minutes in range(3):
            await post(scene, created["id"], minutes_ago=minutes)
    counter = StatementCounter()
    with monkeypatch.context() as patch:
        counter.wrap(patch)
        listed = await list_cameras(scene, first=2)
    assert len(listed) == cameras
    assert all(len(c["snapshots"]) == 2 for c in listed)
    return len(counter.statements)


async def test_cameras_with_snapshots_is_constant(
    api: Api, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = await _statements_for_cameras(api, app, monkeypatch, 1)
    many = await _statements_for_cameras(api, app, monkeypatch, 6)

    assert one == many
    # viewer, project, cameras, people, ranked snapshot ids, snapshots
    assert one <= 6
