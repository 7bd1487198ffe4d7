"""Every channel name fixhub publishes on. Nothing else builds channel names."""

PREFIX = "fixhub"


def job_quotes(job_id: int) -> str:
    """New quotes of one job; the job's customer listens."""
    return f"{PREFIX}:job:{job_id}:quotes"


def job_updates(job_id: int) -> str:
    """Status changes of one job; its customer and quoting/hired workers listen."""
    return f"{PREFIX}:job:{job_id}:updates"


def worker_matches(worker_id: int) -> str:
    """Jobs newly matched to one worker."""
    return f"{PREFIX}:worker:{worker_id}:matches"


def user_notifications(user_id: int) -> str:
    """Everything stored for one user's notification feed."""
    return f"{PREFIX}:user:{user_id}:notifications"


def thread_messages(thread_id: int) -> str:
    """New messages in one job conversation."""
    return f"{PREFIX}:thread:{thread_id}:messages"
