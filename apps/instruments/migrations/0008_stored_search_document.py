"""A stored, indexed search vector for instruments (issue 13; bench/RESULTS.md).

The search (apps/instruments/search.py) built each instrument's weighted vector
on the fly, for the match and again for the rank: on 100,000 instruments a
search read and parsed every title and summary (about 8 s). A generated column
holds the vector, PostgreSQL keeps it in step with every write (the one write
path, the seed loader, the benchmarks' COPY alike), and a GIN index serves `@@`.

The column is not a model field: Django would then select it with every
instrument it loads (lists, pages, exports), for nothing. search.py reads it by
name (StoredVector). RunSQL, like 0006, so the model's state is unchanged.
"""

from django.db import migrations

VECTOR = (
    "setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, COALESCE(original_title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, COALESCE(issuing_body, '')), 'C') || "
    "setweight(to_tsvector('english'::regconfig, COALESCE(summary, '')), 'C')"
)


class Migration(migrations.Migration):
    dependencies = [("instruments", "0007_title_trigram_indexes")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE instruments_instrument ADD COLUMN search_document tsvector "
            f"GENERATED ALWAYS AS ({VECTOR}) STORED",
            "ALTER TABLE instruments_instrument DROP COLUMN search_document",
        ),
        migrations.RunSQL(
            "CREATE INDEX instrument_search_gin ON instruments_instrument "
            "USING gin (search_document) WHERE retired_at IS NULL",
            "DROP INDEX IF EXISTS instrument_search_gin",
        ),
    ]
