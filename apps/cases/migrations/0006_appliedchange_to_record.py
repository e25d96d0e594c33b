# The audit trail now lives in apps.record (record 0001 renamed the table and took
# the model's state); the old state goes once every reference to it has moved.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0005_case_public_reason'),
        ('record', '0001_initial'),
        ('portal', '0002_appliedchange_in_record'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='AppliedChange')],
        ),
    ]
