"""An index of the provisions' words alone, for the search's candidates (issue 26):
the obligations counterpart of instruments 0012 (apps/reading/search.py,
_candidates and TitleVector). RunSQL, so the model's state is unchanged.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("obligations", "0008_obligation_order_total")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS obligation_provision_search_gin ON obligations_obligation "
            "USING gin (to_tsvector('english'::regconfig, COALESCE(provision, ''))) "
            "WHERE retired_at IS NULL",
            "DROP INDEX IF EXISTS obligation_provision_search_gin",
        ),
    ]
