from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from apps.core.models import Heartbeat


@transaction.atomic
def heartbeat_request(*, origin: str) -> Heartbeat:
    """Record a heartbeat and queue its completion once the row is committed."""
    from apps.core.tasks import complete_heartbeat

    beat = Heartbeat.objects.create(origin=origin)
    # The worker must find the row: queue only after commit, never on rollback.
    complete_heartbeat.delay_on_commit(beat.pk)
    return beat


def heartbeat_complete(*, heartbeat_id: int, worker: str) -> bool:
    """Stamp a heartbeat as seen by a worker; a redelivered task changes nothing."""
    updated = Heartbeat.objects.filter(pk=heartbeat_id, completed_at__isnull=True).update(
        completed_at=timezone.now(), worker=worker[:200]
    )
    return updated == 1
