"""Enumerations shared by the tables and, by value, by the GraphQL schema."""

from enum import StrEnum


class Role(StrEnum):
    CUSTOMER = "CUSTOMER"
    WORKER = "WORKER"
    ENTERPRISE_STAFF = "ENTERPRISE_STAFF"
    ADMIN = "ADMIN"


class ServiceCategory(StrEnum):
    WALLS_FLOORS = "WALLS_FLOORS"
    CLEANING = "CLEANING"
    WATER_ELECTRICAL = "WATER_ELECTRICAL"
    DOORS_WINDOWS = "DOORS_WINDOWS"
    PIPES = "PIPES"
    APPLIANCES = "APPLIANCES"


class JobStatus(StrEnum):
    OPEN = "OPEN"
    HIRED = "HIRED"
    SCHEDULED = "SCHEDULED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    ACCEPTED = "ACCEPTED"
    CANCELLED = "CANCELLED"
    CLOSED = "CLOSED"


class QuoteStatus(StrEnum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    WITHDRAWN = "WITHDRAWN"


class PointKind(StrEnum):
    EARN = "EARN"
    REDEEM = "REDEEM"
    REFUND = "REFUND"
    ADJUST = "ADJUST"
    EXPIRE = "EXPIRE"


# --- Renovation projects ---------------------------------------------------------------------


class EnterpriseKind(StrEnum):
    DESIGN = "DESIGN"
    DECORATION = "DECORATION"
    MATERIAL_SUPPLIER = "MATERIAL_SUPPLIER"
    SUPERVISION = "SUPERVISION"


class EnterpriseStatus(StrEnum):
    PENDING = "PENDING"
    VERIFIED = "VERIFIED"
    REJECTED = "REJECTED"
    SUSPENDED = "SUSPENDED"


class MemberRole(StrEnum):
    DESIGNER = "DESIGNER"
    PROJECT_MANAGER = "PROJECT_MANAGER"
    MATERIAL_BUDGETER = "MATERIAL_BUDGETER"
    SUPERVISOR = "SUPERVISOR"


class InvitationStatus(StrEnum):
    """PENDING until the invited person accepts or declines, or the owner revokes it. EXPIRED
    is never stored: a PENDING invitation past its expiry reads as EXPIRED."""

    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"


# A person's role must fit the kind of the enterprise they belong to.
ROLE_KIND: dict[MemberRole, EnterpriseKind] = {
    MemberRole.DESIGNER: EnterpriseKind.DESIGN,
    MemberRole.PROJECT_MANAGER: EnterpriseKind.DECORATION,
    MemberRole.MATERIAL_BUDGETER: EnterpriseKind.MATERIAL_SUPPLIER,
    MemberRole.SUPERVISOR: EnterpriseKind.SUPERVISION,
}


class ProjectStatus(StrEnum):
    PLANNING = "PLANNING"  # created; the customer chooses the team
    CONTRACTING = "CONTRACTING"  # team chosen; contract drafted and signed
    IN_PROGRESS = "IN_PROGRESS"  # contract filed; milestones under way
    AWAITING_ACCEPTANCE = "AWAITING_ACCEPTANCE"  # every milestone approved
    RECTIFYING = "RECTIFYING"  # the customer listed defects; work reopened
    ACCEPTED = "ACCEPTED"  # the customer accepted the project
    CANCELLED = "CANCELLED"


class ContractStatus(StrEnum):
    DRAFT = "DRAFT"  # being drafted or signed; redrafting clears both signatures
    FILED = "FILED"  # signed by both and filed: immutable


class RecordKind(StrEnum):
    CONTRACT = "CONTRACT"
    DESIGN = "DESIGN"
    MATERIAL_PLAN = "MATERIAL_PLAN"
    INSPECTION_REPORT = "INSPECTION_REPORT"
    ACCEPTANCE = "ACCEPTANCE"
    EVALUATION = "EVALUATION"


class ProposalStatus(StrEnum):
    SUBMITTED = "SUBMITTED"
    CONFIRMED = "CONFIRMED"  # the customer's choice, filed
    SUPERSEDED = "SUPERSEDED"  # was confirmed, then another proposal was confirmed


class DeliveryStatus(StrEnum):
    DISPATCHED = "DISPATCHED"
    DELIVERED = "DELIVERED"
    RECEIVED = "RECEIVED"  # receipt confirmed by the project manager or the customer
    SHORTFALL = "SHORTFALL"  # receipt confirmed with items missing


class MilestoneStatus(StrEnum):
    PENDING = "PENDING"
    IN_PROGRESS = "IN_PROGRESS"
    READY_FOR_INSPECTION = "READY_FOR_INSPECTION"
    PASSED = "PASSED"  # inspection passed; waits for the customer's approval
    APPROVED = "APPROVED"  # approved by the customer; its stage is released from escrow


class EscrowKind(StrEnum):
    DEPOSIT = "DEPOSIT"
    RELEASE = "RELEASE"


class ConsultationStatus(StrEnum):
    OPEN = "OPEN"
    ANSWERED = "ANSWERED"
    CLOSED = "CLOSED"
