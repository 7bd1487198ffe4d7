from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

# worker_cells gets a copy of each worker's circle (lat, lng, radius) and one covering index
# for matching. The rows move through a side table instead of nullable columns altered to NOT
# NULL: on SQLite, Tortoise's table rebuild for AlterField drops the unique constraint.

class Migration(migrations.Migration):
    dependencies = [('fixhub', '0004_enterprise_invitations')]

    initial = False

    operations = [
        ops.RunSQL(
            'CREATE TABLE worker_cells_0005 AS'
            ' SELECT c.worker_id, c.category, c.cell, p.lat, p.lng, p.service_radius_km'
            ' FROM worker_cells c JOIN worker_profiles p ON p.user_id = c.worker_id'
        ),
        ops.RunSQL('DELETE FROM worker_cells'),
        ops.RemoveIndex(
            model_name='WorkerCell',
            name=None,
            fields=['category', 'cell'],
        ),
        ops.AddField(
            model_name='WorkerCell',
            name='lat',
            field=fields.FloatField(),
        ),
        ops.AddField(
            model_name='WorkerCell',
            name='lng',
            field=fields.FloatField(),
        ),
        ops.AddField(
            model_name='WorkerCell',
            name='service_radius_km',
            field=fields.FloatField(),
        ),
        ops.RunSQL(
            'INSERT INTO worker_cells (worker_id, category, cell, lat, lng, service_radius_km)'
            ' SELECT worker_id, category, cell, lat, lng, service_radius_km FROM worker_cells_0005'
        ),
        ops.RunSQL('DROP TABLE worker_cells_0005'),
        ops.AddIndex(
            model_name='WorkerCell',
            index=Index(fields=['category', 'cell', 'lat', 'lng', 'service_radius_km', 'worker_id']),
        ),
    ]
