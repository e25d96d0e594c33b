"""An index of the titles' words alone, for the search's candidates (issue 26).

A broad search ("artificial intelligence" matches 18,000 of the benchmark's 100,000
instruments) no longer ranks every match: it ranks a bounded set of candidates,
and the rows whose titles hold the words are where ts_rank weighs them most
(apps/reading/search.py, _candidates). This expression index finds those without
reading each match's row; search.TitleVector writes the same expression.

The search also looks a query up as a whole title (an exact name ranks first):
UPPER(title) = UPPER(query). The trigram indexes of 0007 can answer that only
lossily (12,813 rows rechecked for "artificial intelligence", 281 ms), so each
title has a B-tree of its upper case too.

RunSQL, like 0008, so the model's state is unchanged.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("instruments", "0011_instrument_verified_against")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS instrument_title_search_gin ON instruments_instrument "
            "USING gin (to_tsvector('english'::regconfig, "
            "COALESCE(title, '') || ' ' || COALESCE(original_title, ''))) "
            "WHERE retired_at IS NULL",
            "DROP INDEX IF EXISTS instrument_title_search_gin",
        ),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS instrument_title_upper_idx "
            "ON instruments_instrument (UPPER(title))",
            "DROP INDEX IF EXISTS instrument_title_upper_idx",
        ),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS instrument_original_title_upper_idx "
            "ON instruments_instrument (UPPER(original_title))",
            "DROP INDEX IF EXISTS instrument_original_title_upper_idx",
        ),
    ]
