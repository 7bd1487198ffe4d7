"""Every channel name fixhub publishes on. Nothing else builds channel names."""

PREFIX = "fixhub"


def job_quotes(job_id: int) -> str:
    """New quotes of one job; the job's customer listens."""
    return f"{PREFIX}:job:{job_id}:quotes"


def job_updates(job_id: int) -> str:
    """Status changes of one job; its customer and quoting/hired workers listen."""
    return f"{PREFIX}:job:{job_id}:updates"


def job_matches() -> str:
    """Newly matched jobs, each event naming the workers it was matched to.

    One channel for all workers (rather than one per worker) so that a process executes a
    subscription's selection once per job for all of its matched workers that share it, and
    Redis carries one message per job instead of one per matched worker. Who receives an event
    is decided by `resolvers.matching.matched_workers`.
    """
    return f"{PREFIX}:jobs:matched"


def user_notifications(user_id: int) -> str:
    """Everything stored for one user's notification feed."""
    return f"{PREFIX}:user:{user_id}:notifications"


def thread_messages(thread_id: int) -> str:
    """New messages in one job conversation."""
    return f"{PREFIX}:thread:{thread_id}:messages"


def project_feed(project_id: int) -> str:
    """Everything stored in one renovation project's live feed (ProjectEvent rows)."""
    return f"{PREFIX}:project:{project_id}:feed"
