"""After a publication commits, dispatch the webhooks.

apps.record.services.write is the only writer of AppliedChange, and every write
runs in a transaction; a dispatch is queued once per transaction that created
AppliedChange rows (a seed load writing thousands queues one), and only when
it commits: a rolled-back write publishes nothing.
"""

from __future__ import annotations

import logging

from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from apps.record.models import AppliedChange

logger = logging.getLogger(__name__)


def queue_dispatch() -> None:
    from apps.webhooks.tasks import dispatch

    dispatch.delay()


@receiver(post_save, sender=AppliedChange, dispatch_uid="webhooks_after_publication")
def after_change(sender, instance, created, raw=False, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    if not created or raw:
        return
    connection = transaction.get_connection(using)
    # Already queued for this transaction? Django keeps the callbacks of the open
    # transaction here and drops those of a savepoint that rolls back, so a rolled
    # back savepoint lets the next change queue it again.
    if any(func is queue_dispatch for _sids, func, _robust in connection.run_on_commit):
        return
    # robust: a broker that is down must not fail the commit's caller after the
    # record was written; beat's sweep delivers what this message would have.
    transaction.on_commit(queue_dispatch, using=using, robust=True)
