"""Trigram indexes for titles in scripts full text cannot split into words.

PostgreSQL's text search does not segment Chinese, Japanese or Korean, so the
search (apps/instruments/search.py) matches such a query as a substring of the
titles: `UPPER(title) LIKE UPPER('%个人信息保护法%')`. A GIN index of trigrams on
the same expressions serves that match instead of a scan of every title. Like
0006, RunSQL, so the models' state (and makemigrations) is unchanged.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("instruments", "0006_list_and_identifier_indexes")]

    operations = [
        TrigramExtension(),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS instrument_original_title_trgm "
            "ON instruments_instrument USING gin (UPPER(original_title) gin_trgm_ops)",
            "DROP INDEX IF EXISTS instrument_original_title_trgm",
        ),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS instrument_title_trgm "
            "ON instruments_instrument USING gin (UPPER(title) gin_trgm_ops)",
            "DROP INDEX IF EXISTS instrument_title_trgm",
        ),
    ]
