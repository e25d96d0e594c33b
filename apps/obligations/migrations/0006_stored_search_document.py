"""A stored search vector for obligations, in place of 0004's expression index.

0004's index served the match, but the rank (ts_rank) still rebuilt the vector of
every matching obligation from its text: 1.2 s for "facial recognition" on the
300,000 obligations of the benchmark record. A generated column holds the vector
for both. Not a model field, for the reason given in instruments 0008.
"""

from django.db import migrations

VECTOR = (
    "setweight(to_tsvector('english'::regconfig, COALESCE(provision, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, COALESCE(requirement, '')), 'B')"
)


class Migration(migrations.Migration):
    dependencies = [("obligations", "0005_penalty_not_negative")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE obligations_obligation ADD COLUMN search_document tsvector "
            f"GENERATED ALWAYS AS ({VECTOR}) STORED",
            "ALTER TABLE obligations_obligation DROP COLUMN search_document",
        ),
        migrations.RunSQL(
            "CREATE INDEX obligation_document_gin ON obligations_obligation "
            "USING gin (search_document) WHERE retired_at IS NULL",
            "DROP INDEX IF EXISTS obligation_document_gin",
        ),
        migrations.RunSQL(
            "DROP INDEX IF EXISTS obligation_search_gin",
            # Back to 0004's index: the same expression, in parentheses.
            "CREATE INDEX IF NOT EXISTS obligation_search_gin ON obligations_obligation "
            f"USING gin (({VECTOR})) WHERE retired_at IS NULL",
        ),
    ]
