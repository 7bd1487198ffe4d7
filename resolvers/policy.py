"""The one place that decides who may see or do what.

Fields, mutations and subscriptions all ask this module. A user's standing towards a job is
computed once (`job_relation`), and `RULES` says which standings may perform each action. Where
even the existence of a job is private, refusal is NOT_FOUND rather than FORBIDDEN.
"""

from __future__ import annotations

from enum import StrEnum

from errors import Forbidden, NotFound, Unauthenticated
from models import Job, JobStatus, Role, Thread, User
from resolvers.loaders import Loaders


class Relation(StrEnum):
    """How a signed-in user stands towards one job (the strongest that applies)."""

    ADMIN = "ADMIN"
    CUSTOMER = "CUSTOMER"
    HIRED_WORKER = "HIRED_WORKER"
    QUOTING_WORKER = "QUOTING_WORKER"  # sent a quote (in any status) for the job
    MATCHED_WORKER = "MATCHED_WORKER"  # selected by matching, has not quoted
    NONE = "NONE"


class Action(StrEnum):
    VIEW_JOB = "VIEW_JOB"
    VIEW_ALL_QUOTES = "VIEW_ALL_QUOTES"
    SUBMIT_QUOTE = "SUBMIT_QUOTE"
    ACCEPT_QUOTE = "ACCEPT_QUOTE"
    WORK_ON_JOB = "WORK_ON_JOB"  # schedule, start, complete
    ACCEPT_JOB = "ACCEPT_JOB"
    CANCEL_JOB = "CANCEL_JOB"
    SUBSCRIBE_QUOTES = "SUBSCRIBE_QUOTES"
    SUBSCRIBE_JOB_UPDATES = "SUBSCRIBE_JOB_UPDATES"
    REVIEW_WORKER = "REVIEW_WORKER"
    REVIEW_CUSTOMER = "REVIEW_CUSTOMER"
    VIEW_SERVICE_RECORD = "VIEW_SERVICE_RECORD"


_R = Relation
RULES: dict[Action, frozenset[Relation]] = {
    Action.VIEW_JOB: frozenset(
        {_R.ADMIN, _R.CUSTOMER, _R.HIRED_WORKER, _R.QUOTING_WORKER, _R.MATCHED_WORKER}
    ),
    Action.VIEW_ALL_QUOTES: frozenset({_R.ADMIN, _R.CUSTOMER}),
    Action.SUBMIT_QUOTE: frozenset({_R.MATCHED_WORKER, _R.QUOTING_WORKER}),
    Action.ACCEPT_QUOTE: frozenset({_R.CUSTOMER}),
    Action.WORK_ON_JOB: frozenset({_R.HIRED_WORKER}),
    Action.ACCEPT_JOB: frozenset({_R.CUSTOMER}),
    Action.CANCEL_JOB: frozenset({_R.CUSTOMER}),
    Action.SUBSCRIBE_QUOTES: frozenset({_R.CUSTOMER}),
    Action.SUBSCRIBE_JOB_UPDATES: frozenset(
        {_R.ADMIN, _R.CUSTOMER, _R.HIRED_WORKER, _R.QUOTING_WORKER}
    ),
    Action.REVIEW_WORKER: frozenset({_R.CUSTOMER}),
    Action.REVIEW_CUSTOMER: frozenset({_R.HIRED_WORKER}),
    Action.VIEW_SERVICE_RECORD: frozenset({_R.ADMIN, _R.CUSTOMER, _R.HIRED_WORKER}),
}

_REFUSAL_TEXT: dict[Action, str] = {
    Action.VIEW_ALL_QUOTES: "Only the job's customer sees all of its quotes.",
    Action.SUBMIT_QUOTE: "Only workers matched to this job may quote for it.",
    Action.ACCEPT_QUOTE: "Only the job's customer can hire.",
    Action.WORK_ON_JOB: "Only the hired worker can do this.",
    Action.ACCEPT_JOB: "Only the job's customer can accept the work.",
    Action.CANCEL_JOB: "Only the job's customer can cancel it.",
    Action.SUBSCRIBE_QUOTES: "Only the job's customer can watch its quotes.",
    Action.SUBSCRIBE_JOB_UPDATES: "Only the job's customer and its quoting or hired workers "
    "can follow it.",
    Action.REVIEW_WORKER: "Only the job's customer reviews the hired worker.",
    Action.REVIEW_CUSTOMER: "Only the hired worker reviews the customer.",
    Action.VIEW_SERVICE_RECORD: "Only the two parties of a job see its service record.",
}


def require_user(viewer: User | None) -> User:
    if viewer is None:
        raise Unauthenticated()
    return viewer


def require_role(viewer: User | None, *roles: Role) -> User:
    user = require_user(viewer)
    if user.role not in roles:
        names = " or ".join(role.value for role in roles)
        raise Forbidden(f"This needs the {names} role; you are {user.role.value}.")
    return user


async def job_relation(viewer: User, job: Job, loaders: Loaders) -> Relation:
    if viewer.role == Role.ADMIN:
        return Relation.ADMIN
    if job.customer_id == viewer.id:
        return Relation.CUSTOMER
    if job.hired_worker_id == viewer.id:
        return Relation.HIRED_WORKER
    if viewer.role != Role.WORKER:
        return Relation.NONE
    quotes = await loaders.quotes_by_job_id.load(job.id)
    if any(quote.worker_id == viewer.id for quote in quotes):
        return Relation.QUOTING_WORKER
    if await loaders.match_by_job_and_worker.load((job.id, viewer.id)) is not None:
        return Relation.MATCHED_WORKER
    return Relation.NONE


def allows(action: Action, relation: Relation) -> bool:
    return relation in RULES[action]


async def authorize_job(
    viewer: User | None, job: Job | None, action: Action, loaders: Loaders, job_id: object
) -> tuple[User, Job, Relation]:
    """Raise the right refusal, or return who is acting, on which job, standing how."""
    user = require_user(viewer)
    if job is None:
        raise NotFound("Job", job_id)
    relation = await job_relation(user, job, loaders)
    if not allows(Action.VIEW_JOB, relation):
        # Outsiders must not learn that the job exists.
        raise NotFound("Job", job_id)
    if not allows(action, relation):
        raise Forbidden(_REFUSAL_TEXT.get(action, "You may not do this."))
    return user, job, relation


async def can_view_job(viewer: User | None, job: Job, loaders: Loaders) -> bool:
    if viewer is None:
        return False
    return allows(Action.VIEW_JOB, await job_relation(viewer, job, loaders))


async def can_view_quote(
    viewer: User | None, job: Job, quote_worker_id: int, loaders: Loaders
) -> bool:
    """The customer (and ADMIN) see every quote of the job; a worker sees only its own."""
    if viewer is None:
        return False
    if quote_worker_id == viewer.id:
        return True
    return allows(Action.VIEW_ALL_QUOTES, await job_relation(viewer, job, loaders))


# --- Job conversations -----------------------------------------------------------------------
# A thread has exactly two parties, fixed when it is opened: the job's customer and one quoting
# worker. Both read and write it; ADMIN reads it (disputes) but never writes; to everyone else
# it does not exist (NOT_FOUND). Writing also needs the thread to be open (`thread_is_open`).


class ThreadStanding(StrEnum):
    """How a signed-in user stands towards one thread."""

    CUSTOMER = "CUSTOMER"
    WORKER = "WORKER"
    ADMIN = "ADMIN"
    NONE = "NONE"


THREAD_READERS = frozenset({ThreadStanding.CUSTOMER, ThreadStanding.WORKER, ThreadStanding.ADMIN})
THREAD_WRITERS = frozenset({ThreadStanding.CUSTOMER, ThreadStanding.WORKER})
# While the job is OPEN every quoting worker's thread is open; after the hire only the hired
# worker's stays open, through these statuses. CANCELLED and CLOSED end every conversation.
HIRED_THREAD_OPEN_STATUSES = frozenset(
    {
        JobStatus.HIRED,
        JobStatus.SCHEDULED,
        JobStatus.IN_PROGRESS,
        JobStatus.COMPLETED,
        JobStatus.ACCEPTED,
    }
)


def thread_standing(viewer: User, thread: Thread) -> ThreadStanding:
    if viewer.id == thread.customer_id:
        return ThreadStanding.CUSTOMER
    if viewer.id == thread.worker_id:
        return ThreadStanding.WORKER
    if viewer.role == Role.ADMIN:
        return ThreadStanding.ADMIN
    return ThreadStanding.NONE


def authorize_thread(
    viewer: User | None, thread: Thread | None, thread_id: object, *, write: bool = False
) -> tuple[User, ThreadStanding]:
    """Raise the right refusal, or return who is acting and how they stand."""
    user = require_user(viewer)
    if thread is None:
        raise NotFound("Thread", thread_id)
    standing = thread_standing(user, thread)
    if standing not in THREAD_READERS:
        raise NotFound("Thread", thread_id)
    if write and standing not in THREAD_WRITERS:
        raise Forbidden("Only the two parties of a conversation write in it; ADMIN only reads.")
    return user, standing


def thread_is_open(thread: Thread, job: Job) -> bool:
    """May messages still be sent in this thread (given its job's current state)?"""
    if job.status == JobStatus.OPEN:
        return True
    return job.hired_worker_id == thread.worker_id and job.status in HIRED_THREAD_OPEN_STATUSES
