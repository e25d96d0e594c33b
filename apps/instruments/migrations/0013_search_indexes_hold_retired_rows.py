"""The search's GIN indexes hold every row, retired ones too (issue 31).

0008 and 0012 made them partial (WHERE retired_at IS NULL): the portal and the
API search only what is published. The editors' desk searches every instrument
(a retired one is still corrected or looked up), and a partial index cannot
answer a query without the same condition, so the admin's search of a rare
phrase ("AI Act") read the whole table: 136 ms at 100,000 instruments, where
the index answers in about 1 ms. Retired rows are a small part of the record, so
one index for both costs little more; the readers' searches keep their
`retired_at IS NULL` as a filter on what the index finds.

RunSQL, like 0008 and 0012, so the model's state is unchanged.
"""

from django.db import migrations

SEARCH = "USING gin (search_document)"
TITLES = (
    "USING gin (to_tsvector('english'::regconfig, "
    "COALESCE(title, '') || ' ' || COALESCE(original_title, '')))"
)


def _index(name: str, using: str, where: str = "") -> str:
    return (
        f"DROP INDEX IF EXISTS {name}; CREATE INDEX {name} ON instruments_instrument {using}{where}"
    )


class Migration(migrations.Migration):
    dependencies = [("instruments", "0012_title_search_index")]

    operations = [
        migrations.RunSQL(
            _index("instrument_search_gin", SEARCH),
            _index("instrument_search_gin", SEARCH, " WHERE retired_at IS NULL"),
        ),
        migrations.RunSQL(
            _index("instrument_title_search_gin", TITLES),
            _index("instrument_title_search_gin", TITLES, " WHERE retired_at IS NULL"),
        ),
    ]
