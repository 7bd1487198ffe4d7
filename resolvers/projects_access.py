"""Loading a project for a use case: parse the id, load it once per operation, and ask the
policy whether the viewer may perform the action. Every project use case starts here."""

from __future__ import annotations

from models import Project, User
from resolvers.context import Context
from resolvers.jobs import parse_id
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
            ctx.loaders.project_by_id.clear(ident).prime(ident, project)
    else:
        project = await ctx.loaders.project_by_id.load(ident)
    return await authorize_project(ctx.viewer, project, action, ctx.loaders, project_id)
