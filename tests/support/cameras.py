"""Helpers of tests/api/test_cameras.py, shared with the tests that build on it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.support.renovation import Renovation

REGISTER = """
mutation($id: ID!, $input: SiteCameraInput!) {
  registerSiteCamera(projectId: $id, input: $input) {
    id projectId name streamUrl registeredBy { id } createdAt snapshots { id }
  }
}"""


POST = """
mutation($id: ID!, $input: SnapshotInput!) {
  postCameraSnapshot(cameraId: $id, input: $input) {
    id cameraId imageUrl caption takenAt postedBy { id } createdAt
  }
}"""


CAMERAS = """
query($id: ID!, $first: Int) {
  siteCameras(projectId: $id) {
    id name streamUrl registeredBy { id displayName }
    snapshots(first: $first) { id imageUrl caption takenAt postedBy { id } }
  }
}"""


STREAM = "rtsp://cams.example.com/site-12/entrance"


def camera(name: str = "Entrance", stream_url: str = STREAM) -> dict[str, str]:
    return {"name": name, "streamUrl": stream_url}


def shot(minutes_ago: int = 0, caption: str | None = "Morning", **change: Any) -> dict[str, Any]:
    taken = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    return {
        "imageUrl": f"https://cams.example.com/site-12/{minutes_ago}.jpg",
        "takenAt": taken.isoformat(),
        "caption": caption,
    } | change


async def register(scene: Renovation, name: str = "Entrance") -> dict[str, Any]:
    data = await scene.api.ok(
        REGISTER, {"id": scene.project_id, "input": camera(name)}, scene.project_manager
    )
    return data["registerSiteCamera"]
