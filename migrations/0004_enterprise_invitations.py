from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import InvitationStatus, MemberRole
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('fixhub', '0003_renovation_projects')]

    initial = False

    operations = [
        ops.CreateModel(
            name='EnterpriseInvitation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('enterprise', fields.ForeignKeyField('fixhub.Enterprise', source_field='enterprise_id', db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.CASCADE)),
                ('email', fields.CharField(max_length=254)),
                ('role', fields.CharEnumField(description='DESIGNER: DESIGNER\nPROJECT_MANAGER: PROJECT_MANAGER\nMATERIAL_BUDGETER: MATERIAL_BUDGETER\nSUPERVISOR: SUPERVISOR', enum_type=MemberRole, max_length=24)),
                ('status', fields.CharEnumField(default=InvitationStatus.PENDING, description='PENDING: PENDING\nACCEPTED: ACCEPTED\nDECLINED: DECLINED\nREVOKED: REVOKED\nEXPIRED: EXPIRED', enum_type=InvitationStatus, max_length=16)),
                ('invited_by', fields.ForeignKeyField('fixhub.User', source_field='invited_by_id', null=True, db_constraint=True, to_field='id', related_name='enterprise_invitations_sent', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('responded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'enterprise_invitations', 'app': 'fixhub', 'indexes': [Index(fields=['enterprise_id', 'status']), Index(fields=['email', 'status'])], 'pk_attr': 'id', 'table_description': 'An invitation to join an enterprise in one role, sent to an email address whether or not'},
            bases=['Model'],
        ),
    ]
