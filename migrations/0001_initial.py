from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.enums import JobStatus, QuoteStatus, Role, ServiceCategory
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='User',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.CharField(unique=True, max_length=254)),
                ('password_hash', fields.CharField(max_length=255)),
                ('display_name', fields.CharField(max_length=80)),
                ('role', fields.CharEnumField(description='CUSTOMER: CUSTOMER\nWORKER: WORKER\nENTERPRISE_STAFF: ENTERPRISE_STAFF\nADMIN: ADMIN', enum_type=Role, max_length=24)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'users', 'app': 'fixhub', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Job',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('customer', fields.ForeignKeyField('fixhub.User', source_field='customer_id', db_constraint=True, to_field='id', related_name='jobs', on_delete=OnDelete.CASCADE)),
                ('category', fields.CharEnumField(description='WALLS_FLOORS: WALLS_FLOORS\nCLEANING: CLEANING\nWATER_ELECTRICAL: WATER_ELECTRICAL\nDOORS_WINDOWS: DOORS_WINDOWS\nPIPES: PIPES\nAPPLIANCES: APPLIANCES', enum_type=ServiceCategory, max_length=24)),
                ('title', fields.CharField(max_length=120)),
                ('description', fields.TextField(unique=False)),
                ('address', fields.CharField(max_length=300)),
                ('lat', fields.FloatField()),
                ('lng', fields.FloatField()),
                ('currency', fields.CharField(default='EUR', max_length=3)),
                ('budget_min_cents', fields.BigIntField(null=True)),
                ('budget_max_cents', fields.BigIntField(null=True)),
                ('preferred_start', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('preferred_end', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('status', fields.CharEnumField(default=JobStatus.OPEN, db_index=True, description='OPEN: OPEN\nHIRED: HIRED\nSCHEDULED: SCHEDULED\nIN_PROGRESS: IN_PROGRESS\nCOMPLETED: COMPLETED\nACCEPTED: ACCEPTED\nCANCELLED: CANCELLED', enum_type=JobStatus, max_length=16)),
                ('hired_worker', fields.ForeignKeyField('fixhub.User', source_field='hired_worker_id', null=True, db_constraint=True, to_field='id', related_name='hired_jobs', on_delete=OnDelete.SET_NULL)),
                ('accepted_quote_id', fields.IntField(null=True)),
                ('scheduled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('cancel_reason', fields.CharField(null=True, max_length=500)),
                ('match_count', fields.IntField(default=0)),
                ('live_quote_count', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'jobs', 'app': 'fixhub', 'indexes': [Index(fields=['customer_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='JobMatch',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('job', fields.ForeignKeyField('fixhub.Job', source_field='job_id', db_constraint=True, to_field='id', related_name='matches', on_delete=OnDelete.CASCADE)),
                ('worker', fields.ForeignKeyField('fixhub.User', source_field='worker_id', db_constraint=True, to_field='id', related_name='job_matches', on_delete=OnDelete.CASCADE)),
                ('score', fields.FloatField()),
                ('distance_km', fields.FloatField()),
                ('reasons', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'job_matches', 'app': 'fixhub', 'unique_together': (('job', 'worker'),), 'indexes': [Index(fields=['worker_id', 'job_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='JobStatusChange',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('job', fields.ForeignKeyField('fixhub.Job', source_field='job_id', db_constraint=True, to_field='id', related_name='status_changes', on_delete=OnDelete.CASCADE)),
                ('from_status', fields.CharField(null=True, max_length=16)),
                ('to_status', fields.CharField(max_length=16)),
                ('actor', fields.ForeignKeyField('fixhub.User', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='+', on_delete=OnDelete.SET_NULL)),
                ('note', fields.CharField(null=True, max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'job_status_changes', 'app': 'fixhub', 'pk_attr': 'id', 'table_description': 'The timeline of a job: every status move with who made it and when.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Quote',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('job', fields.ForeignKeyField('fixhub.Job', source_field='job_id', db_constraint=True, to_field='id', related_name='quotes', on_delete=OnDelete.CASCADE)),
                ('worker', fields.ForeignKeyField('fixhub.User', source_field='worker_id', db_constraint=True, to_field='id', related_name='quotes', on_delete=OnDelete.CASCADE)),
                ('amount_cents', fields.BigIntField()),
                ('currency', fields.CharField(default='EUR', max_length=3)),
                ('message', fields.TextField(null=True, unique=False)),
                ('earliest_start', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('status', fields.CharEnumField(default=QuoteStatus.PENDING, description='PENDING: PENDING\nACCEPTED: ACCEPTED\nDECLINED: DECLINED\nWITHDRAWN: WITHDRAWN', enum_type=QuoteStatus, max_length=16)),
                ('live', fields.SmallIntField(null=True, default=1)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'quotes', 'app': 'fixhub', 'unique_together': (('job', 'worker', 'live'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WorkerCell',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('worker', fields.ForeignKeyField('fixhub.User', source_field='worker_id', db_constraint=True, to_field='id', related_name='service_cells', on_delete=OnDelete.CASCADE)),
                ('category', fields.CharField(max_length=24)),
                ('cell', fields.CharField(max_length=24)),
            ],
            options={'table': 'worker_cells', 'app': 'fixhub', 'unique_together': (('worker', 'category', 'cell'),), 'indexes': [Index(fields=['category', 'cell'])], 'pk_attr': 'id', 'table_description': 'One row per (worker, category, grid cell its service circle touches).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WorkerProfile',
            fields=[
                ('user', fields.OneToOneField('fixhub.User', source_field='user_id', primary_key=True, db_index=True, db_constraint=True, to_field='id', related_name='worker_profile', on_delete=OnDelete.CASCADE)),
                ('categories', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('lat', fields.FloatField()),
                ('lng', fields.FloatField()),
                ('service_radius_km', fields.FloatField()),
                ('bio', fields.TextField(null=True, unique=False)),
                ('available', fields.BooleanField(default=True)),
                ('rating_sum', fields.IntField(default=0)),
                ('rating_count', fields.IntField(default=0)),
                ('completed_jobs', fields.IntField(default=0)),
                ('recent_matches', fields.IntField(default=0)),
                ('recent_quotes', fields.IntField(default=0)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'worker_profiles', 'app': 'fixhub', 'pk_attr': 'user_id'},
            bases=['Model'],
        ),
    ]
