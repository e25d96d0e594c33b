"""A full-text index for the search of obligations (issue 13; bench/RESULTS.md).

apps.instruments.search.obligations filters published obligations with
`document @@ query`, where document is the weighted vector below; without an
index PostgreSQL built that vector for all 300,000 obligations of the benchmark
record on every search (6.6 s). The expression here must stay exactly the one
Django writes for that SearchVector (weights, COALESCE, the ::regconfig cast),
or the planner cannot use the index: bench/run.py's search figure shows it.

RunSQL, so the model's state (owned by its app) is unchanged and
`makemigrations --check` stays quiet.
"""

from django.db import migrations

VECTOR = (
    "(setweight(to_tsvector('english'::regconfig, COALESCE(provision, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, COALESCE(requirement, '')), 'B'))"
)


class Migration(migrations.Migration):
    dependencies = [("obligations", "0003_provenance_choices")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS obligation_search_gin ON obligations_obligation "
            f"USING gin ({VECTOR}) WHERE retired_at IS NULL",
            "DROP INDEX IF EXISTS obligation_search_gin",
        ),
    ]
