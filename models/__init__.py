"""Tortoise tables. Tortoise discovers the models listed in this module's namespace."""

from models.accounts import RESPONSIVENESS_WINDOW, User, WorkerCell, WorkerProfile
from models.enums import JobStatus, QuoteStatus, Role, ServiceCategory
from models.jobs import TRANSITIONS, Job, JobMatch, JobStatusChange, sources_of
from models.quotes import LIVE_STATUSES, Quote

__all__ = [
    "LIVE_STATUSES",
    "RESPONSIVENESS_WINDOW",
    "TRANSITIONS",
    "Job",
    "JobMatch",
    "JobStatus",
    "JobStatusChange",
    "Quote",
    "QuoteStatus",
    "Role",
    "ServiceCategory",
    "User",
    "WorkerCell",
    "WorkerProfile",
    "sources_of",
]
