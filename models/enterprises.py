"""The enterprise library: verified companies and the people who work for them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.accounts import User

from models.enums import EnterpriseKind, EnterpriseStatus, InvitationStatus, MemberRole


class Enterprise(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=120)
    kind = fields.CharEnumField(EnterpriseKind, max_length=24)
    license_number = fields.CharField(max_length=64)
    city = fields.CharField(max_length=80)
    contact_email = fields.CharField(max_length=254)
    description = fields.TextField(default="")
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="owned_enterprises", on_delete=fields.RESTRICT
    )
    owner_id: int
    status = fields.CharEnumField(EnterpriseStatus, max_length=16, default=EnterpriseStatus.PENDING)
    # The ADMIN decision (verification, rejection or suspension) that set the status.
    status_note = fields.TextField(null=True)
    status_changed_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "fixhub.User",
        related_name="enterprise_status_changes",
        null=True,
        on_delete=fields.SET_NULL,
    )
    status_changed_by_id: int | None
    status_changed_at = fields.DatetimeField(null=True)
    # Customer evaluations (1-5) of this enterprise, kept as sum and count so the library can
    # filter and sort by rating without aggregating evaluations.
    rating_sum = fields.IntField(default=0)
    rating_count = fields.IntField(default=0)
    completed_projects = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "enterprises"
        # A licence number identifies one enterprise of each kind.
        unique_together = (("kind", "license_number"),)
        indexes = (("status", "kind", "city"), ("owner_id", "id"))


class EnterpriseMember(Model):
    id = fields.IntField(primary_key=True)
    enterprise: fields.ForeignKeyRelation[Enterprise] = fields.ForeignKeyField(
        "fixhub.Enterprise", related_name="members", on_delete=fields.CASCADE
    )
    enterprise_id: int
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="memberships", on_delete=fields.CASCADE
    )
    user_id: int
    role = fields.CharEnumField(MemberRole, max_length=24)
    added_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="enterprise_members_added", null=True, on_delete=fields.SET_NULL
    )
    added_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "enterprise_members"
        unique_together = (("enterprise", "user", "role"),)
        indexes = (("user_id", "enterprise_id"),)


class EnterpriseInvitation(Model):
    """An invitation to join an enterprise in one role, sent to an email address whether or not
    an account uses it, so the answer to the owner tells nothing about accounts. The person
    joins only by accepting it while PENDING and before expires_at."""

    id = fields.IntField(primary_key=True)
    enterprise: fields.ForeignKeyRelation[Enterprise] = fields.ForeignKeyField(
        "fixhub.Enterprise", related_name="invitations", on_delete=fields.CASCADE
    )
    enterprise_id: int
    # Normalised as validation.email does (trimmed, lower-case), as account emails are.
    email = fields.CharField(max_length=254)
    role = fields.CharEnumField(MemberRole, max_length=24)
    status = fields.CharEnumField(InvitationStatus, max_length=16, default=InvitationStatus.PENDING)
    invited_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "fixhub.User",
        related_name="enterprise_invitations_sent",
        null=True,
        on_delete=fields.SET_NULL,
    )
    invited_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    responded_at = fields.DatetimeField(null=True)

    class Meta:
        table = "enterprise_invitations"
        indexes = (("enterprise_id", "status"), ("email", "status"))

    def status_at(self, now: datetime) -> InvitationStatus:
        """The status as it reads at `now`: a PENDING invitation past its expiry is EXPIRED."""
        if self.status == InvitationStatus.PENDING and self.expires_at <= now:
            return InvitationStatus.EXPIRED
        return self.status
