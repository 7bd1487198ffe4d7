"""Tortoise tables. Tortoise discovers the models listed in this module's namespace."""

from models.acceptance import Evaluation
from models.accounts import RESPONSIVENESS_WINDOW, User, WorkerCell, WorkerProfile
from models.cameras import CameraSnapshot, SiteCamera
from models.consultations import Consultation, ConsultationEntry
from models.contracts import Contract
from models.designs import DesignProposal
from models.enterprises import Enterprise, EnterpriseInvitation, EnterpriseMember
from models.enums import (
    ROLE_KIND,
    ConsultationStatus,
    ContractStatus,
    DeliveryStatus,
    EnterpriseKind,
    EnterpriseStatus,
    EscrowKind,
    InvitationStatus,
    JobStatus,
    MemberRole,
    MilestoneStatus,
    PointKind,
    ProjectStatus,
    ProposalStatus,
    QuoteStatus,
    RecordKind,
    Role,
    ServiceCategory,
)
from models.filing import ProjectRecord
from models.jobs import TRANSITIONS, Job, JobStatusChange, sources_of
from models.matching import JobMatch
from models.materials import MaterialDelivery, MaterialPlan
from models.messages import Message, Thread, ThreadReadMarker
from models.milestones import Inspection, Milestone, ProgressReport
from models.notifications import Notification
from models.outbox import OutboxEvent
from models.points import PointAccount, PointTransaction, Redemption, Reward
from models.project_feed import ProjectEvent
from models.projects import TEAM_SEATS, Project, TeamSeat
from models.quotes import LIVE_STATUSES, Quote
from models.records import ServiceRecord, ServiceRecordEntry
from models.reviews import CustomerReview, Review
from models.settlement import EscrowEntry

__all__ = [
    "LIVE_STATUSES",
    "RESPONSIVENESS_WINDOW",
    "ROLE_KIND",
    "TEAM_SEATS",
    "TRANSITIONS",
    "CameraSnapshot",
    "Consultation",
    "ConsultationEntry",
    "ConsultationStatus",
    "Contract",
    "ContractStatus",
    "CustomerReview",
    "DeliveryStatus",
    "DesignProposal",
    "Enterprise",
    "EnterpriseInvitation",
    "EnterpriseKind",
    "EnterpriseMember",
    "EnterpriseStatus",
    "EscrowEntry",
    "EscrowKind",
    "Evaluation",
    "Inspection",
    "InvitationStatus",
    "Job",
    "JobMatch",
    "JobStatus",
    "JobStatusChange",
    "MaterialDelivery",
    "MaterialPlan",
    "MemberRole",
    "Message",
    "Milestone",
    "MilestoneStatus",
    "Notification",
    "OutboxEvent",
    "PointAccount",
    "PointKind",
    "PointTransaction",
    "ProgressReport",
    "Project",
    "ProjectEvent",
    "ProjectRecord",
    "ProjectStatus",
    "ProposalStatus",
    "Quote",
    "QuoteStatus",
    "RecordKind",
    "Redemption",
    "Review",
    "Reward",
    "Role",
    "ServiceCategory",
    "ServiceRecord",
    "ServiceRecordEntry",
    "SiteCamera",
    "TeamSeat",
    "Thread",
    "ThreadReadMarker",
    "User",
    "WorkerCell",
    "WorkerProfile",
    "sources_of",
]
