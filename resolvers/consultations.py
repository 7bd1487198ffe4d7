"""The consultation desk: any signed-in user asks, support (ADMIN) answers.

A consultation is a short written exchange between one asker and the support staff: the asker
opens it with a question (optionally about a project they take part in), support answers, the
asker follows up, and either side closes it. Who sees and writes one is decided in
resolvers.policy (`authorize_consultation`); its status moves by conditional UPDATEs, so a
reply racing a close either lands before the close or is refused.

    OPEN --support answers--> ANSWERED --asker follows up--> OPEN
    OPEN | ANSWERED --either side closes--> CLOSED (final)

Consultations are private to the asker and support, so nothing here goes to a project's feed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

from errors import BadUserInput, InvalidState
from models import Consultation, ConsultationEntry, ConsultationStatus, Role, User
from resolvers import validation
from resolvers.context import Context
from resolvers.ids import parse_id
from resolvers.loaders import by_id, grouped_by
from resolvers.notifications import NotificationKind, notify
from resolvers.pagination import Page, paginate
from resolvers.policy import ProjectAction, authorize_consultation, require_user
from resolvers.projects_access import authorized_project
from resolvers.ratelimit import enforce

MAX_SUBJECT_LENGTH = 200
MAX_TEXT_LENGTH = 4000
# A consultation is a conversation about one question: past this many entries, open a new one.
# (It also bounds `Consultation.entries`, which is not paginated.)
MAX_ENTRIES = 100
# Opening and replying are limited per asker over a fixed window (shared through Redis in
# scale-out mode). Support (ADMIN) is not limited: answering is its job.
ENTRIES_PER_WINDOW = 10
ENTRY_WINDOW_SECONDS = 60
# The start of an entry quoted in a notification.
_EXCERPT = 140

LIVE = (ConsultationStatus.OPEN, ConsultationStatus.ANSWERED)


# --- DataLoaders -----------------------------------------------------------------------------


class ConsultationLoaders:
    def __init__(self) -> None:
        self.consultation_by_id = by_id(Consultation)
        self.entries_by_consultation_id = grouped_by(ConsultationEntry, "consultation_id")


def loaders(ctx: Context) -> ConsultationLoaders:
    """This operation's consultation loaders (a fresh set whenever `ctx.loaders` is replaced)."""
    return ctx.loaders.domain(ConsultationLoaders)


# --- Reading ---------------------------------------------------------------------------------


async def _authorized(ctx: Context, consultation_id: str | int) -> tuple[User, Consultation, bool]:
    """(viewer, consultation, whether the viewer acts as support), or the policy's refusal."""
    require_user(ctx.viewer)  # anonymous callers learn nothing, not even "no such consultation"
    ident = parse_id(consultation_id, "Consultation")
    consultation = await loaders(ctx).consultation_by_id.load(ident)
    user, as_support = authorize_consultation(ctx.viewer, consultation, consultation_id)
    assert consultation is not None
    return user, consultation, as_support


async def get_consultation(ctx: Context, consultation_id: str | int) -> Consultation:
    """The asker's own consultation, or any for ADMIN; NOT_FOUND for everyone else."""
    _, consultation, _ = await _authorized(ctx, consultation_id)
    return consultation


async def list_consultations(
    ctx: Context, status: ConsultationStatus | None, first: int | None, after: str | None
) -> Page[Consultation]:
    """Your consultations (ADMIN: everyone's), newest first, optionally of one status."""
    user = require_user(ctx.viewer)
    query = Consultation.all() if user.role == Role.ADMIN else Consultation.filter(user_id=user.id)
    if status is not None:
        query = query.filter(status=status)
    page = await paginate(query, first=first, after=after, max_page_size=ctx.settings.max_page_size)
    cache = loaders(ctx).consultation_by_id
    for consultation in page.items:
        cache.prime(consultation.id, consultation)
    return page


async def entries(ctx: Context, consultation: Consultation) -> list[ConsultationEntry]:
    """The question and every answer and follow-up, oldest first (at most MAX_ENTRIES)."""
    return await loaders(ctx).entries_by_consultation_id.load(consultation.id)


async def user_of(ctx: Context, user_id: int) -> User:
    user = await ctx.loaders.user_by_id.load(user_id)
    assert user is not None  # consultations and entries never outlive their users (CASCADE)
    return user


# --- Writing ---------------------------------------------------------------------------------


def _entry_text(value: str) -> str:
    return validation.text(value, "text", max_length=MAX_TEXT_LENGTH)


def _subject(value: str) -> str:
    subject = validation.text(value, "subject", max_length=MAX_SUBJECT_LENGTH)
    if any(char in subject for char in "\x00\r\n"):
        raise BadUserInput("subject must be one line (no line breaks or NUL).", "subject")
    try:
        subject.encode("utf-8")
    except UnicodeEncodeError:
        raise BadUserInput(
            "subject must be valid Unicode (no unpaired surrogates).", "subject"
        ) from None
    return subject


def _excerpt(text: str) -> str:
    return text if len(text) <= _EXCERPT else text[: _EXCERPT - 1] + "…"


def _closed(consultation_id: int) -> InvalidState:
    return InvalidState(
        f"Consultation {consultation_id} is closed; open a new consultation to ask again.",
        status=ConsultationStatus.CLOSED.value,
    )


async def _check_rate(ctx: Context, user: User) -> None:
    if user.role == Role.ADMIN:
        return
    await enforce(
        ctx.limiter,
        f"consultations:user:{user.id}",
        limit=ENTRIES_PER_WINDOW,
        window_seconds=ENTRY_WINDOW_SECONDS,
        reason=f"You can open or reply to consultations at most {ENTRIES_PER_WINDOW} times per "
        f"{ENTRY_WINDOW_SECONDS} seconds",
    )


async def _support_ids(exclude: int) -> list[int]:
    """Every ADMIN but `exclude` (support is a handful of people)."""
    ids = cast(
        list[int], await User.filter(role=Role.ADMIN).order_by("id").values_list("id", flat=True)
    )
    return [ident for ident in ids if ident != exclude]


async def _notify_support(
    ctx: Context,
    user: User,
    consultation: Consultation,
    kind: NotificationKind,
    title: str,
    body: str,
) -> None:
    for admin_id in await _support_ids(exclude=user.id):
        await notify(ctx, admin_id, kind, title, body, consultationId=consultation.id)


async def open_consultation(
    ctx: Context, subject: str, text: str, project_id: str | None
) -> Consultation:
    """Any signed-in user asks; every ADMIN is told (CONSULTATION_OPENED). A project may be
    named only by someone who may see it (NOT_FOUND otherwise, as everywhere)."""
    user = require_user(ctx.viewer)
    subject = _subject(subject)
    text = _entry_text(text)
    project_ident = None
    if project_id is not None:
        _, project, _ = await authorized_project(ctx, project_id, ProjectAction.VIEW_PROJECT)
        project_ident = project.id
    await _check_rate(ctx, user)
    async with ctx.write():
        consultation = await Consultation.create(
            user_id=user.id, subject=subject, project_id=project_ident
        )
        await ConsultationEntry.create(
            consultation_id=consultation.id, author_id=user.id, from_support=False, text=text
        )
        await _notify_support(
            ctx,
            user,
            consultation,
            NotificationKind.CONSULTATION_OPENED,
            f"New consultation: {subject}",
            f"{user.display_name} asks: {_excerpt(text)}",
        )
    return consultation


async def reply_to_consultation(ctx: Context, consultation_id: str, text: str) -> Consultation:
    """Support's answer (→ ANSWERED, the asker is told) or the asker's follow-up (→ OPEN,
    support is told). INVALID_STATE once CLOSED."""
    user, consultation, as_support = await _authorized(ctx, consultation_id)
    text = _entry_text(text)
    if consultation.status == ConsultationStatus.CLOSED:
        raise _closed(consultation.id)
    await _check_rate(ctx, user)
    to = ConsultationStatus.ANSWERED if as_support else ConsultationStatus.OPEN
    async with ctx.write():
        # Replies to one consultation take turns (the row lock, on PostgreSQL), so the entry
        # bound holds; the status move stays conditional, so a reply never reopens a
        # consultation that was closed meanwhile.
        current = await Consultation.filter(id=consultation.id).select_for_update().get()
        if current.status == ConsultationStatus.CLOSED:
            raise _closed(consultation.id)
        if await ConsultationEntry.filter(consultation_id=consultation.id).count() >= MAX_ENTRIES:
            raise InvalidState(
                f"Consultation {consultation.id} already has {MAX_ENTRIES} entries; close it "
                "and open a new consultation to go on.",
                status=current.status.value,
            )
        entry = await ConsultationEntry.create(
            consultation_id=consultation.id, author_id=user.id, from_support=as_support, text=text
        )
        moved = await Consultation.filter(id=consultation.id, status__in=LIVE).update(
            status=to, last_entry_at=entry.created_at
        )
        if not moved:
            raise _closed(consultation.id)
        if as_support:
            await notify(
                ctx,
                consultation.user_id,
                NotificationKind.CONSULTATION_ANSWERED,
                f"Support answered: {consultation.subject}",
                _excerpt(text),
                consultationId=consultation.id,
            )
        else:
            await _notify_support(
                ctx,
                user,
                consultation,
                NotificationKind.CONSULTATION_REPLIED,
                f"Follow-up: {consultation.subject}",
                f"{user.display_name} replies: {_excerpt(text)}",
            )
    return await Consultation.get(id=consultation.id)


async def close_consultation(ctx: Context, consultation_id: str) -> Consultation:
    """The asker or support closes it for good; the other side is told
    (CONSULTATION_CLOSED). Closing twice is INVALID_STATE."""
    user, consultation, as_support = await _authorized(ctx, consultation_id)
    async with ctx.write():
        closed = await Consultation.filter(id=consultation.id, status__in=LIVE).update(
            status=ConsultationStatus.CLOSED, closed_at=datetime.now(UTC)
        )
        if not closed:
            raise _closed(consultation.id)
        if as_support:
            await notify(
                ctx,
                consultation.user_id,
                NotificationKind.CONSULTATION_CLOSED,
                f"Consultation closed: {consultation.subject}",
                f"Support ({user.display_name}) closed your consultation.",
                consultationId=consultation.id,
            )
        else:
            await _notify_support(
                ctx,
                user,
                consultation,
                NotificationKind.CONSULTATION_CLOSED,
                f"Consultation closed: {consultation.subject}",
                f"{user.display_name} closed the consultation.",
            )
    return await Consultation.get(id=consultation.id)
