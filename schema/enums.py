"""The domain enums, exposed to GraphQL by value."""

from typing import TYPE_CHECKING

import strawberry

from models import enums

# strawberry.enum registers a class with GraphQL and returns the class itself: to a type
# checker each name here is the model's enum.
if TYPE_CHECKING:
    from models.enums import (
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
        ProjectStatus,
        ProposalStatus,
        QuoteStatus,
        RecordKind,
        Role,
        ServiceCategory,
    )
else:
    Role = strawberry.enum(enums.Role, description="ADMIN is never self-registered.")
    ServiceCategory = strawberry.enum(enums.ServiceCategory)
    JobStatus = strawberry.enum(enums.JobStatus)
    QuoteStatus = strawberry.enum(enums.QuoteStatus)
    EnterpriseKind = strawberry.enum(enums.EnterpriseKind)
    EnterpriseStatus = strawberry.enum(enums.EnterpriseStatus)
    MemberRole = strawberry.enum(
        enums.MemberRole,
        description="DESIGNER belongs to a DESIGN enterprise, PROJECT_MANAGER to DECORATION, "
        "MATERIAL_BUDGETER to MATERIAL_SUPPLIER, SUPERVISOR to SUPERVISION.",
    )
    InvitationStatus = strawberry.enum(
        enums.InvitationStatus,
        description="PENDING until the invited person accepts or declines it or the owner revokes "
        "it; EXPIRED once its expiresAt has passed while PENDING.",
    )
    ProjectStatus = strawberry.enum(enums.ProjectStatus)
    ContractStatus = strawberry.enum(enums.ContractStatus)
    RecordKind = strawberry.enum(enums.RecordKind)
    ProposalStatus = strawberry.enum(enums.ProposalStatus)
    DeliveryStatus = strawberry.enum(enums.DeliveryStatus)
    MilestoneStatus = strawberry.enum(enums.MilestoneStatus)
    EscrowKind = strawberry.enum(enums.EscrowKind)
    ConsultationStatus = strawberry.enum(enums.ConsultationStatus)
