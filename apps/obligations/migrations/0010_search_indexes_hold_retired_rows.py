"""The search's GIN indexes hold every obligation, retired ones too: the
obligations counterpart of instruments 0013 (the desk searches every row; a
partial index cannot answer it). RunSQL, so the model's state is unchanged.
"""

from django.db import migrations

SEARCH = "USING gin (search_document)"
PROVISIONS = "USING gin (to_tsvector('english'::regconfig, COALESCE(provision, '')))"


def _index(name: str, using: str, where: str = "") -> str:
    return (
        f"DROP INDEX IF EXISTS {name}; CREATE INDEX {name} ON obligations_obligation {using}{where}"
    )


class Migration(migrations.Migration):
    dependencies = [("obligations", "0009_provision_search_index")]

    operations = [
        migrations.RunSQL(
            _index("obligation_document_gin", SEARCH),
            _index("obligation_document_gin", SEARCH, " WHERE retired_at IS NULL"),
        ),
        migrations.RunSQL(
            _index("obligation_provision_search_gin", PROVISIONS),
            _index("obligation_provision_search_gin", PROVISIONS, " WHERE retired_at IS NULL"),
        ),
    ]
