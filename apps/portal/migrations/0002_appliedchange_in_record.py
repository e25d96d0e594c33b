# The audit trail moved to apps.record (record 0001 renamed its table): only the
# state's reference moves; the foreign key constraint in the database stays as it is.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0001_watchlists'),
        ('record', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='digestentry',
                    name='change',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='record.appliedchange'),
                ),
            ],
        ),
    ]
