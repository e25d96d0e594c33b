"""Instrument.short_names: the short names of its titles, kept on save and indexed.

The search derived them for every published instrument in each web process, once
per change of the record: 1.5 s and about 45 MB per process on the 100,000
instruments of the benchmark record (bench/RESULTS.md). The rows that exist are
filled here with the same function Instrument.save uses.
"""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
from django.db import migrations, models

from apps.instruments.names import all_short_names


def fill(apps, schema_editor):
    Instrument = apps.get_model("instruments", "Instrument")
    rows = Instrument.objects.only("pk", "title", "original_title").order_by("pk")
    batch = []
    for row in rows.iterator(chunk_size=2000):
        row.short_names = all_short_names(row.title, row.original_title)
        batch.append(row)
        if len(batch) == 2000:
            Instrument.objects.bulk_update(batch, ["short_names"])
            batch = []
    Instrument.objects.bulk_update(batch, ["short_names"])


class Migration(migrations.Migration):
    dependencies = [("instruments", "0008_stored_search_document")]

    operations = [
        migrations.AddField(
            model_name="instrument",
            name="short_names",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(max_length=500),
                default=list,
                editable=False,
                size=None,
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="instrument",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["short_names"], name="instrument_short_names_gin"
            ),
        ),
    ]
