from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('fixhub', '0005_matching_covering_index')]

    initial = False

    operations = [
        ops.CreateModel(
            name='OutboxEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('position', fields.BigIntField(unique=True)),
                ('channel', fields.CharField(max_length=200)),
                ('type', fields.CharField(max_length=40)),
                ('subject_id', fields.BigIntField()),
                ('data', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('published_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'outbox_events', 'app': 'fixhub', 'indexes': [Index(fields=['channel', 'position'])], 'pk_attr': 'id', 'table_description': 'One event for the realtime bus. The position orders the events in the order their'},
            bases=['Model'],
        ),
    ]
