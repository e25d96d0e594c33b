"""A check stamp stands only on a citation that says where and what, read by then.

Each instrument and jurisdiction with `last_verified_on` either gets the citation
that backs it as `verified_against` (one of its citations with a locator, a
statement and a read date on or before the stamp), or loses the stamp: a date
that claims a check no source stands behind is worse than none (issue 30).
Written as the write path writes (version bumped, one AppliedChange each under
the audit trail's lock) so the changes feed tells clients. Going back leaves
the rows as they are: the columns stay in the older schema.
"""

from django.db import migrations
from django.utils import timezone

AUDIT_LOCK = 0x7472_6163  # apps.record.services: AppliedChange ids in commit order
REASON_BACKED = "check stamp linked to the citation that backs it"
REASON_RESET = (
    "check stamp removed: no citation of the row says where the fact stands and what it "
    "states, read on or before that day"
)


def _backing(row):
    stamp = row.last_verified_on
    found = [
        c
        for c in row.citations.all()
        if c.locator.strip() and c.states.strip() and c.accessed_on and c.accessed_on <= stamp
    ]
    return max(found, key=lambda c: (c.accessed_on, c.key), default=None)


def link_or_reset(apps, schema_editor):
    AppliedChange = apps.get_model("record", "AppliedChange")
    for target, label in (
        ("jurisdiction", "jurisdictions.Jurisdiction"),
        ("instrument", "instruments.Instrument"),
    ):
        model = apps.get_model(label)
        stamped = model.objects.filter(last_verified_on__isnull=False, verified_against=None)
        for row in stamped.prefetch_related("citations").order_by("pk"):
            schema_editor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_LOCK])
            citation = _backing(row)
            if citation is not None:
                before, after = {"verified_against": None}, {"verified_against": citation.pk}
                row.verified_against = citation
                reason = REASON_BACKED
            else:
                before = {"last_verified_on": row.last_verified_on.isoformat()}
                after = {"last_verified_on": None}
                row.last_verified_on = None
                reason = REASON_RESET
            row.version += 1
            row.updated_at = timezone.now()
            row.save(update_fields=[*after, "version", "updated_at"])
            AppliedChange.objects.create(
                target=target,
                action="update",
                row_id=row.pk,
                version=row.version,
                before=before,
                after=after,
                origin="system",
                reason=reason,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("record", "0002_verification"),
        ("core", "0003_citation_locator_and_statement"),
        ("instruments", "0011_instrument_verified_against"),
        ("jurisdictions", "0005_current_as_of_and_check_stamp"),
    ]

    operations = [migrations.RunPython(link_or_reset, migrations.RunPython.noop)]
