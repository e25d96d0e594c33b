"""A proposal is not law: an amendment whose source instrument is only proposed
loses the effective date it had to carry (a row needed one) and becomes pending.

Each such change is written the way the write path writes (version bumped, one
AppliedChange with the before and after, under the audit trail's advisory lock),
so the changes feed and webhooks tell clients about it. Going back restores each
date from the audit trail and records that too.
"""

from django.db import migrations
from django.utils import timezone

AUDIT_LOCK = 0x7472_6163  # apps.record.services: AppliedChange ids in commit order
NOT_ADOPTED = ["unknown", "proposed", "under_negotiation"]
REASON = "a proposal is not law: the amending act is only proposed, so its change is pending"
RESTORED = "pending change given back its earlier date of effect (migration reversed)"


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


def make_pending(apps, schema_editor):
    Amendment = apps.get_model("amendments", "Amendment")
    proposed = Amendment.objects.filter(
        source_instrument__status__in=NOT_ADOPTED, effective_on__isnull=False
    )
    for amendment in proposed.order_by("pk"):
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


class Migration(migrations.Migration):
    dependencies = [
        ("amendments", "0004_effects_and_pending"),
        ("record", "0001_initial"),
    ]

    operations = [migrations.RunPython(make_pending, restore_dates)]
