"""Site cameras and their snapshots."""

from __future__ import annotations

from datetime import datetime

import strawberry

import models
from resolvers import cameras
from schema.common import Info, Participant


async def _participant(info: Info, user_id: int) -> Participant:
    user = await info.context.loaders.user_by_id.load(user_id)
    assert user is not None  # authors are never deleted (ON DELETE RESTRICT)
    return Participant.from_model(user)


@strawberry.type(description="A still from a site camera, posted by the project manager.")
class CameraSnapshot:
    _snapshot: strawberry.Private[models.CameraSnapshot]

    @classmethod
    def from_model(cls, snapshot: models.CameraSnapshot) -> CameraSnapshot:
        return cls(_snapshot=snapshot)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._snapshot.id))

    @strawberry.field
    def camera_id(self) -> strawberry.ID:
        return strawberry.ID(str(self._snapshot.camera_id))

    @strawberry.field
    def image_url(self) -> str:
        return self._snapshot.image_url

    @strawberry.field
    def caption(self) -> str:
        return self._snapshot.caption

    @strawberry.field
    def taken_at(self) -> datetime:
        return self._snapshot.taken_at

    @strawberry.field
    async def posted_by(self, info: Info) -> Participant:
        return await _participant(info, self._snapshot.posted_by_id)

    @strawberry.field
    def created_at(self) -> datetime:
        return self._snapshot.created_at


@strawberry.type(description="A camera watching the site; its stream is a link.")
class SiteCamera:
    _camera: strawberry.Private[models.SiteCamera]

    @classmethod
    def from_model(cls, camera: models.SiteCamera) -> SiteCamera:
        return cls(_camera=camera)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._camera.id))

    @strawberry.field
    def project_id(self) -> strawberry.ID:
        return strawberry.ID(str(self._camera.project_id))

    @strawberry.field
    def name(self) -> str:
        return self._camera.name

    @strawberry.field(description="An http(s) or rtsp link to the live stream.")
    def stream_url(self) -> str:
        return self._camera.stream_url

    @strawberry.field
    async def registered_by(self, info: Info) -> Participant:
        return await _participant(info, self._camera.registered_by_id)

    @strawberry.field
    def created_at(self) -> datetime:
        return self._camera.created_at

    @strawberry.field(
        description="The newest snapshots first (by takenAt); first is 1-50, 10 when null."
    )
    async def snapshots(
        self, info: Info, first: int | None = cameras.DEFAULT_SNAPSHOTS
    ) -> list[CameraSnapshot]:
        rows = await cameras.snapshots_of(
            info.context, self._camera, cameras.DEFAULT_SNAPSHOTS if first is None else first
        )
        return [CameraSnapshot.from_model(row) for row in rows]


@strawberry.input
class SiteCameraInput:
    name: str
    stream_url: str = strawberry.field(description="An http(s) or rtsp link to the stream.")


@strawberry.input
class SnapshotInput:
    image_url: str
    taken_at: datetime = strawberry.field(description="With a timezone; not in the future.")
    caption: str | None = None


@strawberry.type
class CamerasQuery:
    @strawberry.field(description="The project's site cameras, oldest first (at most 20).")
    async def site_cameras(self, info: Info, project_id: strawberry.ID) -> list[SiteCamera]:
        rows = await cameras.list_cameras(info.context, project_id)
        return [SiteCamera.from_model(row) for row in rows]


@strawberry.type
class CamerasMutation:
    @strawberry.mutation(description="The project manager registers a camera on the site.")
    async def register_site_camera(
        self, info: Info, project_id: strawberry.ID, input: SiteCameraInput
    ) -> SiteCamera:
        camera = await cameras.register_camera(
            info.context,
            project_id,
            cameras.CameraInput(name=input.name, stream_url=input.stream_url),
        )
        return SiteCamera.from_model(camera)

    @strawberry.mutation(description="The project manager posts a snapshot from a camera.")
    async def post_camera_snapshot(
        self, info: Info, camera_id: strawberry.ID, input: SnapshotInput
    ) -> CameraSnapshot:
        snapshot = await cameras.post_snapshot(
            info.context,
            camera_id,
            cameras.SnapshotInput(
                image_url=input.image_url, taken_at=input.taken_at, caption=input.caption
            ),
        )
        return CameraSnapshot.from_model(snapshot)
