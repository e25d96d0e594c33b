"""Indexes the benchmarks at scale found missing (issue 13; bench/RESULTS.md).

RunSQL rather than Meta.indexes: the models belong to their app's owners, and an
index declared only in a migration's state would make `makemigrations --check`
propose removing it. The state is unchanged; the database gains the indexes.

- The lists (API, portal) are ordered by title and mostly read published rows: on
  100,000 instruments the page query sorted every matching row (107 ms) and the
  paginator's COUNT scanned the table. (legal_force, title) serves the common
  "binding instruments" filter for both the page and the count; (title) serves
  unfiltered lists and filters that leave many rows.
- Search and the `identifier=` filter compare identifiers case-insensitively
  (UPPER(value) = UPPER(...)), which no index served: a scan of every identifier
  on each search.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("instruments", "0005_last_verified_on")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS instrument_published_title_idx "
            "ON instruments_instrument (title) WHERE retired_at IS NULL",
            "DROP INDEX IF EXISTS instrument_published_title_idx",
        ),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS instrument_force_title_idx "
            "ON instruments_instrument (legal_force, title) WHERE retired_at IS NULL",
            "DROP INDEX IF EXISTS instrument_force_title_idx",
        ),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS identifier_value_upper_idx "
            "ON instruments_identifier (UPPER(value))",
            "DROP INDEX IF EXISTS identifier_value_upper_idx",
        ),
    ]
