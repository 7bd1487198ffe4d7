"""Site cameras: the project manager registers the site's cameras and posts snapshots, so every
participant can watch the work without visiting. Cameras and snapshots are links (stream and
image URLs), never uploads."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from strawberry.dataloader import DataLoader
from tortoise import connections

from errors import BadUserInput, Conflict, NotFound
from models import CameraSnapshot, ProjectStatus, SiteCamera
from resolvers import validation
from resolvers.context import Context
from resolvers.ids import parse_id
from resolvers.policy import ProjectAction, require_user
from resolvers.project_feed import FeedKind, add_feed_entry, require_status
from resolvers.projects_access import authorized_project, lock_project, require_room

# From the team's assignment until the customer accepts: the site exists and is worked on.
ACTIVE = (
    ProjectStatus.CONTRACTING,
    ProjectStatus.IN_PROGRESS,
    ProjectStatus.AWAITING_ACCEPTANCE,
    ProjectStatus.RECTIFYING,
)
MAX_CAMERAS_PER_PROJECT = 20  # siteCameras lists them all
MAX_NAME_LENGTH = 80
MAX_CAPTION_LENGTH = 200
DEFAULT_SNAPSHOTS = 10
MAX_SNAPSHOTS = 50
# A camera's clock may run a little ahead of ours; a snapshot from further in the future is a
# mistake.
CLOCK_SKEW = timedelta(minutes=5)


# --- DataLoaders ----------------------------------------------------------------------------------


class CameraLoaders:
    def __init__(self) -> None:
        # Key: (camera id, how many), the newest `how many` snapshots of the camera.
        self.snapshots_by_camera_id: DataLoader[tuple[int, int], list[CameraSnapshot]] = DataLoader(
            load_fn=self._snapshots
        )

    @staticmethod
    async def _snapshots(keys: list[tuple[int, int]]) -> list[list[CameraSnapshot]]:
        """The newest N of each camera in two statements, whatever the number of cameras: a
        window function ranks each camera's snapshots, then the chosen rows are loaded."""
        camera_ids = sorted({camera_id for camera_id, _ in keys})
        most = max(count for _, count in keys)
        # Only validated integers are formatted into the statement.
        listed = ",".join(str(int(ident)) for ident in camera_ids)
        sql = (
            "SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY camera_id "
            "ORDER BY taken_at DESC, id DESC) AS newest FROM camera_snapshots "
            f"WHERE camera_id IN ({listed})) AS ranked WHERE newest <= {int(most)}"
        )
        rows = await connections.get("default").execute_query_dict(sql)
        snapshots = await CameraSnapshot.filter(id__in=[row["id"] for row in rows]).order_by(
            "-taken_at", "-id"
        )
        grouped: dict[int, list[CameraSnapshot]] = defaultdict(list)
        for snapshot in snapshots:
            grouped[snapshot.camera_id].append(snapshot)
        return [grouped[camera_id][:count] for camera_id, count in keys]


def camera_loaders(ctx: Context) -> CameraLoaders:
    return ctx.loaders.domain(CameraLoaders)


async def snapshots_of(ctx: Context, camera: SiteCamera, first: int) -> list[CameraSnapshot]:
    """The camera's newest snapshots, newest first (by when they were taken)."""
    if not 1 <= first <= MAX_SNAPSHOTS:
        raise BadUserInput(f"first must be between 1 and {MAX_SNAPSHOTS}.", "first")
    return await camera_loaders(ctx).snapshots_by_camera_id.load((camera.id, first))


# --- Use cases ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CameraInput:
    name: str
    stream_url: str


@dataclass(frozen=True)
class SnapshotInput:
    image_url: str
    taken_at: datetime
    caption: str | None = None


async def list_cameras(ctx: Context, project_id: str) -> list[SiteCamera]:
    _, project, _ = await authorized_project(ctx, project_id, ProjectAction.VIEW_PROJECT)
    return await SiteCamera.filter(project_id=project.id).order_by("id")


async def register_camera(ctx: Context, project_id: str, camera: CameraInput) -> SiteCamera:
    user, project, _ = await authorized_project(
        ctx, project_id, ProjectAction.MANAGE_CAMERAS, fresh=True
    )
    name = validation.text(camera.name, "name", max_length=MAX_NAME_LENGTH).strip()
    stream_url = validation.url(camera.stream_url, "streamUrl")
    require_status(project, *ACTIVE)
    async with ctx.write():
        project = await lock_project(project.id)
        require_status(project, *ACTIVE)
        existing = await SiteCamera.filter(project_id=project.id).values_list("name", flat=True)
        require_room(project, len(existing), MAX_CAMERAS_PER_PROJECT, "cameras")
        if name.casefold() in {str(other).casefold() for other in existing}:
            raise Conflict(f"Project {project.id} already has a camera named {name!r}.")
        created = await SiteCamera.create(
            project_id=project.id, name=name, stream_url=stream_url, registered_by_id=user.id
        )
        await add_feed_entry(
            ctx,
            project.id,
            FeedKind.CAMERA_REGISTERED,
            f"Camera {name!r} registered",
            actor_id=user.id,
            cameraId=created.id,
            name=name,
        )
    return created


async def post_snapshot(ctx: Context, camera_id: str, snapshot: SnapshotInput) -> CameraSnapshot:
    require_user(ctx.viewer)
    ident = parse_id(camera_id, "Camera")
    camera = await SiteCamera.get_or_none(id=ident)
    if camera is None:
        raise NotFound("Camera", camera_id)
    try:
        user, project, _ = await authorized_project(
            ctx, camera.project_id, ProjectAction.MANAGE_CAMERAS, fresh=True
        )
    except NotFound:
        raise NotFound("Camera", camera_id) from None
    image_url = validation.url(snapshot.image_url, "imageUrl")
    caption = validation.optional_text(snapshot.caption, "caption", max_length=MAX_CAPTION_LENGTH)
    taken_at = validation.aware(snapshot.taken_at, "takenAt")
    assert taken_at is not None
    if taken_at > datetime.now(UTC) + CLOCK_SKEW:
        raise BadUserInput("takenAt must not be in the future.", "takenAt")
    require_status(project, *ACTIVE)
    async with ctx.write():
        created = await CameraSnapshot.create(
            camera_id=camera.id,
            image_url=image_url,
            caption=(caption or "").strip(),
            posted_by_id=user.id,
            taken_at=taken_at,
        )
        await add_feed_entry(
            ctx,
            project.id,
            FeedKind.SNAPSHOT_POSTED,
            f"New snapshot from camera {camera.name!r}",
            actor_id=user.id,
            cameraId=camera.id,
            snapshotId=created.id,
            imageUrl=image_url,
            takenAt=taken_at.isoformat(),
        )
    return created
