"""A dispatcher's claim on a source: set when its check is queued, released when it ends.

The dispatcher moves next_check_at a whole interval on when it queues a check, so a
check lost with its worker (SIGKILL, out of memory, a hard time limit) would leave
the source unwatched until then. The claim says by when the check must have reported
back; past it the dispatcher claims the source again (see dispatch.py).
"""

from __future__ import annotations

from apps.sources.models import Source


def release(source_id: int) -> None:
    """The check of ``source_id`` ended (in any outcome): nothing is outstanding."""
    Source.objects.filter(pk=source_id, claim_expires_at__isnull=False).update(
        claim_expires_at=None
    )


def still_claimed(source_ids: list[int]) -> list[int]:
    """Of ``source_ids``, in their order, those whose checks have not ended (a batch
    delivered again after its worker died skips the checks that had ended)."""
    claimed = set(
        Source.objects.filter(pk__in=source_ids, claim_expires_at__isnull=False).values_list(
            "pk", flat=True
        )
    )
    return [source_id for source_id in source_ids if source_id in claimed]


def hand_back(source_ids: list[int], claimed_until) -> int:
    """Checks a batch will not start (they could not end before their claims): due
    again at once for the next dispatcher run, instead of waiting for the claims to
    run out and being counted as lost. A claim newer than ``claimed_until`` (the
    source was claimed again meanwhile) is left alone. Returns how many went back."""
    from django.utils import timezone

    return Source.objects.filter(
        pk__in=source_ids, claim_expires_at__isnull=False, claim_expires_at__lte=claimed_until
    ).update(claim_expires_at=None, next_check_at=timezone.now())
