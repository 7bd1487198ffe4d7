from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.enums import JobStatus, PointKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('fixhub', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CustomerReview',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('job', fields.OneToOneField('fixhub.Job', source_field='job_id', db_constraint=True, to_field='id', related_name='customer_review', on_delete=OnDelete.CASCADE)),
                ('worker', fields.ForeignKeyField('fixhub.User', source_field='worker_id', db_constraint=True, to_field='id', related_name='customer_reviews_written', on_delete=OnDelete.CASCADE)),
                ('customer', fields.ForeignKeyField('fixhub.User', source_field='customer_id', db_constraint=True, to_field='id', related_name='customer_reviews_received', on_delete=OnDelete.CASCADE)),
                ('rating', fields.SmallIntField()),
                ('comment', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'customer_reviews', 'app': 'fixhub', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('fixhub.User', source_field='user_id', db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=40)),
                ('title', fields.CharField(max_length=200)),
                ('body', fields.TextField(unique=False)),
                ('data', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'notifications', 'app': 'fixhub', 'indexes': [Index(fields=['user_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PointAccount',
            fields=[
                ('user', fields.OneToOneField('fixhub.User', source_field='user_id', primary_key=True, db_index=True, db_constraint=True, to_field='id', related_name='point_account', on_delete=OnDelete.CASCADE)),
                ('balance', fields.BigIntField(default=0)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'point_accounts', 'app': 'fixhub', 'pk_attr': 'user_id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Review',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('job', fields.OneToOneField('fixhub.Job', source_field='job_id', db_constraint=True, to_field='id', related_name='review', on_delete=OnDelete.CASCADE)),
                ('customer', fields.ForeignKeyField('fixhub.User', source_field='customer_id', db_constraint=True, to_field='id', related_name='reviews_written', on_delete=OnDelete.CASCADE)),
                ('worker', fields.ForeignKeyField('fixhub.User', source_field='worker_id', db_constraint=True, to_field='id', related_name='reviews_received', on_delete=OnDelete.CASCADE)),
                ('rating', fields.SmallIntField()),
                ('quality', fields.SmallIntField()),
                ('punctuality', fields.SmallIntField()),
                ('price_fairness', fields.SmallIntField()),
                ('cleanliness', fields.SmallIntField()),
                ('comment', fields.TextField(null=True, unique=False)),
                ('reply', fields.TextField(null=True, unique=False)),
                ('replied_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'reviews', 'app': 'fixhub', 'indexes': [Index(fields=['worker_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Reward',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=120)),
                ('description', fields.TextField(unique=False)),
                ('cost_points', fields.IntField()),
                ('stock', fields.IntField()),
                ('active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'rewards', 'app': 'fixhub', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Redemption',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('fixhub.User', source_field='user_id', db_constraint=True, to_field='id', related_name='redemptions', on_delete=OnDelete.CASCADE)),
                ('reward', fields.ForeignKeyField('fixhub.Reward', source_field='reward_id', db_constraint=True, to_field='id', related_name='redemptions', on_delete=OnDelete.RESTRICT)),
                ('cost_points', fields.IntField()),
                ('idempotency_key', fields.CharField(max_length=100)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'redemptions', 'app': 'fixhub', 'unique_together': (('user', 'idempotency_key'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PointTransaction',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('fixhub.User', source_field='user_id', db_constraint=True, to_field='id', related_name='point_transactions', on_delete=OnDelete.CASCADE)),
                ('delta', fields.BigIntField()),
                ('balance_after', fields.BigIntField()),
                ('kind', fields.CharEnumField(description='EARN: EARN\nREDEEM: REDEEM\nREFUND: REFUND\nADJUST: ADJUST\nEXPIRE: EXPIRE', enum_type=PointKind, max_length=16)),
                ('reason', fields.CharField(max_length=300)),
                ('job', fields.ForeignKeyField('fixhub.Job', source_field='job_id', null=True, db_constraint=True, to_field='id', related_name='point_transactions', on_delete=OnDelete.RESTRICT)),
                ('redemption', fields.ForeignKeyField('fixhub.Redemption', source_field='redemption_id', null=True, db_constraint=True, to_field='id', related_name='transactions', on_delete=OnDelete.RESTRICT)),
                ('actor', fields.ForeignKeyField('fixhub.User', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='point_adjustments_made', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'point_transactions', 'app': 'fixhub', 'unique_together': (('user', 'job', 'kind'),), 'indexes': [Index(fields=['user_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ServiceRecord',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('job', fields.OneToOneField('fixhub.Job', source_field='job_id', db_constraint=True, to_field='id', related_name='service_record', on_delete=OnDelete.RESTRICT)),
                ('customer', fields.ForeignKeyField('fixhub.User', source_field='customer_id', db_constraint=True, to_field='id', related_name='customer_service_records', on_delete=OnDelete.RESTRICT)),
                ('worker', fields.ForeignKeyField('fixhub.User', source_field='worker_id', db_constraint=True, to_field='id', related_name='worker_service_records', on_delete=OnDelete.RESTRICT)),
                ('content', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('filed_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'service_records', 'app': 'fixhub', 'indexes': [Index(fields=['customer_id', 'id']), Index(fields=['worker_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ServiceRecordEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('record', fields.ForeignKeyField('fixhub.ServiceRecord', source_field='record_id', db_constraint=True, to_field='id', related_name='entries', on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharField(max_length=40)),
                ('content', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'service_record_entries', 'app': 'fixhub', 'pk_attr': 'id', 'table_description': 'An appendix to a filed record, e.g. the review of the customer arriving later.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Thread',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('job', fields.ForeignKeyField('fixhub.Job', source_field='job_id', db_constraint=True, to_field='id', related_name='threads', on_delete=OnDelete.CASCADE)),
                ('customer', fields.ForeignKeyField('fixhub.User', source_field='customer_id', db_constraint=True, to_field='id', related_name='customer_threads', on_delete=OnDelete.CASCADE)),
                ('worker', fields.ForeignKeyField('fixhub.User', source_field='worker_id', db_constraint=True, to_field='id', related_name='worker_threads', on_delete=OnDelete.CASCADE)),
                ('last_message_id', fields.BigIntField(default=0)),
                ('last_message_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('customer_read_id', fields.BigIntField(default=0)),
                ('worker_read_id', fields.BigIntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'threads', 'app': 'fixhub', 'unique_together': (('job', 'worker'),), 'indexes': [Index(fields=['customer_id', 'id']), Index(fields=['worker_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Message',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('thread', fields.ForeignKeyField('fixhub.Thread', source_field='thread_id', db_constraint=True, to_field='id', related_name='messages', on_delete=OnDelete.CASCADE)),
                ('sender', fields.ForeignKeyField('fixhub.User', source_field='sender_id', db_constraint=True, to_field='id', related_name='messages_sent', on_delete=OnDelete.CASCADE)),
                ('text', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'messages', 'app': 'fixhub', 'indexes': [Index(fields=['thread_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='Job',
            name='status',
            field=fields.CharEnumField(default=JobStatus.OPEN, db_index=True, description='OPEN: OPEN\nHIRED: HIRED\nSCHEDULED: SCHEDULED\nIN_PROGRESS: IN_PROGRESS\nCOMPLETED: COMPLETED\nACCEPTED: ACCEPTED\nCANCELLED: CANCELLED\nCLOSED: CLOSED', enum_type=JobStatus, max_length=16),
        ),
        ops.AddField(
            model_name='Job',
            name='accepted_at',
            field=fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Job',
            name='closed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='User',
            name='customer_rating_count',
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name='User',
            name='customer_rating_sum',
            field=fields.IntField(default=0),
        ),
        ops.AlterModelOptions(
            name='WorkerProfile',
            options={'table': 'worker_profiles', 'app': 'fixhub', 'pk_attr': 'user_id'},
        ),
    ]
