"""The delivery log pruned by age (WEBHOOKS_DELIVERY_KEEP_DAYS), never a retry's record.

A delivery is still being retried while its changes have not got through: it is pending,
or it failed (or was refused) and its endpoint's cursor has not passed its last change.
Those stay whatever their age (an endpoint disabled after failures keeps them too: its
changes are still owed once it is enabled again). Everything else older than the
setting goes, in batches, so a long log is not deleted in one long statement.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import F, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from apps.webhooks.models import Status, WebhookDelivery

BATCH = 5000


def _settled():
    table = WebhookDelivery._meta.db_table
    # The table's own name, not input: the column qualified, as the endpoint is joined.
    sql = f'(SELECT max(c) FROM unnest("{table}"."change_ids") c)'  # noqa: S608
    last = RawSQL(sql, [])  # noqa: S611
    return (
        WebhookDelivery.objects.exclude(status=Status.PENDING)
        .annotate(last_change=last)
        .filter(
            Q(status=Status.DELIVERED)
            | Q(last_change__isnull=True)
            | Q(last_change__lte=F("endpoint__cursor"))
        )
    )


def prune_deliveries(now: dt.datetime | None = None, keep_days: int | None = None) -> int:
    """Delete finished deliveries older than `keep_days` that no retry still needs."""
    keep_days = settings.WEBHOOKS_DELIVERY_KEEP_DAYS if keep_days is None else keep_days
    cutoff = (now or timezone.now()) - dt.timedelta(days=keep_days)
    old = _settled().filter(finished_at__lt=cutoff)
    removed = 0
    while ids := list(old.values_list("pk", flat=True)[:BATCH]):
        removed += WebhookDelivery.objects.filter(pk__in=ids).delete()[0]
    return removed
