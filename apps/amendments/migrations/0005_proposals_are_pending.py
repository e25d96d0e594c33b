"""A proposal is not law: an amendment whose source instrument is only proposed
loses the effective date it had to carry (a row needed one) and becomes pending.

Each such change is written the way the write path writes (version bumped, one
AppliedChange with the before and after, under the audit trail's advisory lock),
so the changes feed and webhooks tell clients about it. Going back restores each
date from the audit trail and records that too.

An amendment pending from the start (entered or loaded after this migration) has
no earlier date, and the older schema needs one: going back gives it the day it
was put forward (announced, else recorded), audited as such, and coming forward
again makes it pending again.
"""

from django.db import migrations
from django.utils import timezone

AUDIT_LOCK = 0x7472_6163  # apps.record.services: AppliedChange ids in commit order
NOT_ADOPTED = ["unknown", "proposed", "under_negotiation"]
REASON = "a proposal is not law: the amending act is only proposed, so its change is pending"
RESTORED = "pending change given back its earlier date of effect (migration reversed)"
BACKFILLED = (
    "pending change dated the day it was put forward, as the older schema needs a date "
    "(migration reversed); it is not a date it took effect"
)


def _audit(apps, schema_editor, amendment, before, after, reason):
    AppliedChange = apps.get_model("record", "AppliedChange")
    schema_editor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_LOCK])
    amendment.version += 1
    amendment.updated_at = timezone.now()
    amendment.save(update_fields=[*after, "version", "updated_at"])
    AppliedChange.objects.create(
        target="amendment",
        action="update",
        row_id=amendment.pk,
        version=amendment.version,
        before=before,
        after={k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in after.items()},
        origin="system",
        reason=reason,
    )


def _backfilled(apps, Amendment):
    """Amendments still carrying the date a reversal gave them (pending before it)."""
    AppliedChange = apps.get_model("record", "AppliedChange")
    latest = {}
    for change in AppliedChange.objects.filter(
        target="amendment", origin="system", reason=BACKFILLED
    ).order_by("pk"):
        latest[change.row_id] = change.after["effective_on"]
    dated = Amendment.objects.filter(pk__in=latest, effective_on__isnull=False)
    return [a.pk for a in dated if a.effective_on.isoformat() == latest[a.pk]]


def make_pending(apps, schema_editor):
    Amendment = apps.get_model("amendments", "Amendment")
    proposed = Amendment.objects.filter(
        source_instrument__status__in=NOT_ADOPTED, effective_on__isnull=False
    ) | Amendment.objects.filter(pk__in=_backfilled(apps, Amendment))
    for amendment in proposed.distinct().order_by("pk"):
        before = {
            "effective_on": amendment.effective_on.isoformat(),
            "effective_on_precision": amendment.effective_on_precision,
        }
        # A date announced after the made-up effect would break no rule once it is empty.
        amendment.effective_on, amendment.effective_on_precision = None, ""
        after = {"effective_on": None, "effective_on_precision": ""}
        _audit(apps, schema_editor, amendment, before, after, REASON)


def restore_dates(apps, schema_editor):
    Amendment = apps.get_model("amendments", "Amendment")
    AppliedChange = apps.get_model("record", "AppliedChange")
    made = AppliedChange.objects.filter(target="amendment", origin="system", reason=REASON)
    for change in made.order_by("-pk"):
        amendment = Amendment.objects.filter(pk=change.row_id, effective_on__isnull=True).first()
        if amendment is None:
            continue  # an editor has set a date since: theirs stands
        amendment.effective_on = change.before["effective_on"]
        amendment.effective_on_precision = change.before["effective_on_precision"]
        after = dict(change.before)
        _audit(apps, schema_editor, amendment, change.after, after, RESTORED)
    for amendment in Amendment.objects.filter(effective_on__isnull=True).order_by("pk"):
        before = {"effective_on": None, "effective_on_precision": ""}
        if amendment.announced_on is not None:
            when, precision = amendment.announced_on, amendment.announced_on_precision or "day"
        else:
            when, precision = amendment.created_at.date(), "day"
        amendment.effective_on, amendment.effective_on_precision = when, precision
        after = {"effective_on": when, "effective_on_precision": precision}
        _audit(apps, schema_editor, amendment, before, after, BACKFILLED)


class Migration(migrations.Migration):
    dependencies = [
        ("amendments", "0004_effects_and_pending"),
        ("record", "0001_initial"),
    ]

    operations = [migrations.RunPython(make_pending, restore_dates)]
