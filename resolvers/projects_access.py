"""Loading a project for a use case: parse the id, load it once per operation, and ask the
policy whether the viewer may perform the action. Every project use case starts here.

What one project may hold is capped (`require_room`), so a list that is not paginated stays
bounded and one participant cannot fill the database.

Every write to a project takes its row lock first (`lock_project`), so concurrent writers of
one project run one after the other and always lock in the same order (project, then its
rows): no deadlock between, say, an inspection and an approval.
"""

from __future__ import annotations

from errors import Conflict
from models import Project, User
from resolvers.context import Context
from resolvers.ids import parse_id
from resolvers.policy import ProjectAction, ProjectRole, authorize_project, require_user


async def authorized_project(
    ctx: Context, project_id: str | int, action: ProjectAction, *, fresh: bool = False
) -> tuple[User, Project, frozenset[ProjectRole]]:
    """(viewer, project, the viewer's roles on it), or the refusal the policy decides.

    `fresh=True` reads the row again instead of the operation's cached copy: use it before a
    write that depends on the project's current status.
    """
    require_user(ctx.viewer)  # anonymous callers learn nothing, not even "no such project"
    ident = parse_id(project_id, "Project")
    if fresh:
        project = await Project.get_or_none(id=ident)
        if project is not None:
            ctx.loaders.project_by_id.prime(ident, project, force=True)
    else:
        project = await ctx.loaders.project_by_id.load(ident)
    return await authorize_project(ctx.viewer, project, action, ctx.loaders, project_id)


async def lock_project(project_id: int) -> Project:
    """Inside `ctx.write()`: the project row as it is now, locked until commit.

    FOR NO KEY UPDATE: concurrent writers of the same project wait for each other, while other
    transactions can still insert rows that merely reference the project (feed entries).
    SQLite ignores the clause; it serialises writers anyway.
    """
    return await Project.filter(id=project_id).select_for_update(no_key=True).get()


async def locked_project(
    ctx: Context, project_id: str | int, action: ProjectAction
) -> tuple[User, Project, frozenset[ProjectRole]]:
    """Inside `ctx.write()`: the project locked until commit, and the viewer's roles decided
    on that locked row (the team may have changed since the operation first read it)."""
    user, project, _ = await authorized_project(ctx, project_id, action, fresh=True)
    locked = await lock_project(project.id)
    ctx.loaders.project_by_id.prime(locked.id, locked, force=True)
    return await authorize_project(user, locked, action, ctx.loaders, project_id)


def require_room(
    project: Project, held: int, cap: int, what: str, *, instead: str | None = None
) -> None:
    """CONFLICT (with `limit`) when the project already holds `cap` of `what` (a plural);
    `instead` tells the client what to do instead, when there is something."""
    if held >= cap:
        advice = f"; {instead}" if instead else ""
        raise Conflict(
            f"Project {project.id} already has {cap} {what}, the most one project may "
            f"have{advice}.",
            limit=cap,
        )
