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
