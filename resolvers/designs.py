"""Design proposals: the designer submits them, the customer confirms one, which files it.

Confirming files a DESIGN record under the subject "design": the first confirmation is version
1, a later one version 2 superseding it (records are never edited), and the proposal confirmed
before becomes SUPERSEDED. Only a SUBMITTED proposal can be confirmed; to return to an earlier
design the designer submits it again. Confirmations of one project run one after the other
(the project row is locked), and the proposal's own move SUBMITTED -> CONFIRMED is a conditional
UPDATE, so a double click files once.
"""

from __future__ import annotations

from dataclasses import dataclass

from errors import InvalidState, NotFound
from models import DesignProposal, ProjectStatus, ProposalStatus, RecordKind
from resolvers import validation
from resolvers.context import Context
from resolvers.filing import file_project_record
from resolvers.ids import parse_id
from resolvers.notifications import NotificationKind, notify
from resolvers.pagination import oldest_first
from resolvers.policy import ProjectAction, require_user
from resolvers.project_feed import FeedKind, add_feed_entry, notify_participants, require_status
from resolvers.projects_access import authorized_project, locked_project, require_room

# The list is returned whole, so it is bounded here: a project takes at most this many.
MAX_PROPOSALS_PER_PROJECT = 100
DESIGN_STATUSES = (ProjectStatus.CONTRACTING, ProjectStatus.IN_PROGRESS, ProjectStatus.RECTIFYING)


@dataclass(frozen=True)
class NewDesignProposal:
    title: str
    description: str
    document_url: str
    estimate_cents: int


async def submit_proposal(ctx: Context, project_id: str, new: NewDesignProposal) -> DesignProposal:
    """The designer submits a proposal while the project is CONTRACTING, IN_PROGRESS or
    RECTIFYING; the customer is asked to look at it."""
    await authorized_project(ctx, project_id, ProjectAction.SUBMIT_DESIGN, fresh=True)
    title = validation.text(new.title, "title", max_length=120)
    description = validation.text(new.description, "description", max_length=5000)
    document_url = validation.url(new.document_url, "documentUrl")
    estimate = validation.amount_cents(new.estimate_cents, "estimateCents")
    async with ctx.write():
        user, project, _ = await locked_project(ctx, project_id, ProjectAction.SUBMIT_DESIGN)
        require_status(project, *DESIGN_STATUSES)
        held = await DesignProposal.filter(project_id=project.id).count()
        require_room(project, held, MAX_PROPOSALS_PER_PROJECT, "design proposals")
        proposal = await DesignProposal.create(
            project_id=project.id,
            designer_id=user.id,
            title=title,
            description=description,
            document_url=document_url,
            estimate_cents=estimate,
        )
        await add_feed_entry(
            ctx,
            project.id,
            FeedKind.DESIGN_SUBMITTED,
            f"{user.display_name} submitted the design proposal {title!r}",
            actor_id=user.id,
            proposalId=proposal.id,
            estimateCents=estimate,
        )
        await notify(
            ctx,
            project.customer_id,
            NotificationKind.DESIGN_SUBMITTED,
            f"{project.title}: design proposal {title!r}",
            f"{user.display_name} submitted a design proposal. Review it and confirm it if it "
            "is the design you want.",
            projectId=project.id,
            proposalId=proposal.id,
        )
    return proposal


async def confirm_proposal(ctx: Context, proposal_id: str) -> DesignProposal:
    """The customer confirms a SUBMITTED proposal: it is filed as the project's design (the next
    version), and the proposal confirmed before it becomes SUPERSEDED."""
    require_user(ctx.viewer)  # anonymous callers learn nothing, not even "no such proposal"
    ident = parse_id(proposal_id, "DesignProposal")
    proposal = await DesignProposal.get_or_none(id=ident)
    if proposal is None:
        raise NotFound("DesignProposal", proposal_id)
    try:
        await authorized_project(ctx, proposal.project_id, ProjectAction.CONFIRM_DESIGN, fresh=True)
    except NotFound:
        raise NotFound("DesignProposal", proposal_id) from None
    async with ctx.write():
        user, project, _ = await locked_project(
            ctx, proposal.project_id, ProjectAction.CONFIRM_DESIGN
        )
        require_status(project, *DESIGN_STATUSES)
        confirmed = await DesignProposal.filter(id=ident, status=ProposalStatus.SUBMITTED).update(
            status=ProposalStatus.CONFIRMED
        )
        if not confirmed:
            current = await DesignProposal.get(id=ident)
            raise InvalidState(
                f"Design proposal {ident} is {current.status.value}; only a SUBMITTED proposal "
                "can be confirmed (ask the designer to submit it again).",
                status=current.status.value,
            )
        await DesignProposal.filter(
            project_id=project.id, status=ProposalStatus.CONFIRMED, id__not=ident
        ).update(status=ProposalStatus.SUPERSEDED)
        content = {
            "projectId": project.id,
            "proposalId": proposal.id,
            "title": proposal.title,
            "description": proposal.description,
            "documentUrl": proposal.document_url,
            "estimateCents": proposal.estimate_cents,
            "currency": project.currency,
            "designerId": proposal.designer_id,
            "submittedAt": proposal.created_at.isoformat(),
            "confirmedById": user.id,
        }
        filed = await file_project_record(
            ctx, project, RecordKind.DESIGN, "design", content, filed_by=user.id
        )
        await DesignProposal.filter(id=ident).update(record_id=filed.id)
        await notify_participants(
            ctx,
            project,
            NotificationKind.DESIGN_CONFIRMED,
            f"{project.title}: design {proposal.title!r} confirmed",
            f"{user.display_name} confirmed the design {proposal.title!r}; it is filed as "
            f"{filed.filing_number}"
            + (
                f" (version {filed.version}, replacing the earlier design)."
                if filed.version > 1
                else "."
            ),
            exclude=user.id,
            proposalId=proposal.id,
            recordId=filed.id,
        )
        proposal = await DesignProposal.get(id=ident)
    return proposal


async def list_proposals(
    ctx: Context, project_id: str, first: int, after: str | None = None
) -> list[DesignProposal]:
    """The project's proposals, oldest first: the first `first` after the proposal id
    `after`."""
    _, project, _ = await authorized_project(ctx, project_id, ProjectAction.VIEW_PROJECT)
    return await oldest_first(DesignProposal.filter(project_id=project.id), first, after)
