"""Tortoise tables. Tortoise discovers the models listed in this module's namespace."""

from models.accounts import RESPONSIVENESS_WINDOW, User, WorkerCell, WorkerProfile
from models.enums import JobStatus, PointKind, QuoteStatus, Role, ServiceCategory
from models.jobs import TRANSITIONS, Job, JobMatch, JobStatusChange, sources_of
from models.messages import Message, Thread
from models.notifications import Notification
from models.points import PointAccount, PointTransaction, Redemption, Reward
from models.quotes import LIVE_STATUSES, Quote
from models.records import ServiceRecord, ServiceRecordEntry
from models.reviews import CustomerReview, Review

__all__ = [
    "LIVE_STATUSES",
    "RESPONSIVENESS_WINDOW",
    "TRANSITIONS",
    "CustomerReview",
    "Job",
    "JobMatch",
    "JobStatus",
    "JobStatusChange",
    "Message",
    "Notification",
    "PointAccount",
    "PointKind",
    "PointTransaction",
    "Quote",
    "QuoteStatus",
    "Redemption",
    "Review",
    "Reward",
    "Role",
    "ServiceCategory",
    "ServiceRecord",
    "ServiceRecordEntry",
    "Thread",
    "User",
    "WorkerCell",
    "WorkerProfile",
    "sources_of",
]
