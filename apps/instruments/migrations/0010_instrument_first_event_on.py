"""Instrument.first_event_on: the earliest event's date, kept by the write service.

The portal's year facet and filter read the first event of each instrument through
a subquery per row: on the benchmark record, 40 to 60 ms more for every search
that matched a fifth of the record, and a scan of every instrument for a chosen
year (bench/RESULTS.md). Filled here for the rows that exist.
"""


from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_citation'),
        ('instruments', '0009_instrument_short_names'),
        ('jurisdictions', '0004_last_verified_on'),
    ]

    operations = [
        migrations.AddField(
            model_name='instrument',
            name='first_event_on',
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.RunSQL(
            """UPDATE instruments_instrument AS i SET first_event_on = e.first
               FROM (SELECT instrument_id, MIN(date) AS first FROM instruments_instrumentevent
                     GROUP BY instrument_id) AS e
               WHERE e.instrument_id = i.id""",
            migrations.RunSQL.noop,
        ),
        migrations.AddIndex(
            model_name='instrument',
            index=models.Index(fields=['first_event_on'], name='instrument_first_event_idx'),
        ),
    ]
