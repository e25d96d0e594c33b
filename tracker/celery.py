"""The Celery app shared by the web process, the worker and beat."""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

app = Celery("tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _capacity_step():
    # Each worker that takes checks announces its pool's slots, which the dispatcher
    # claims for (apps/sources/capacity.py). Imported here, not at the top: the
    # module reads Django's settings, configured just above.
    from apps.sources.capacity import AnnounceCapacity

    return AnnounceCapacity


app.steps["worker"].add(_capacity_step())


@task_prerun.connect
def _fresh_enough_connections(task=None, **_: object) -> None:
    # With connections reused across tasks (CELERY_DB_REUSE_MAX), drop one that broke
    # or outlived DATABASE_CONN_MAX_AGE, as Django does at the start of a request. An
    # eager task runs on its caller's connection, inside its caller's transaction.
    if task is not None and getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


@app.on_after_finalize.connect
def _schedule(sender: Celery, **_: object) -> None:
    from django.conf import settings

    # The heartbeat proves end to end that beat, the broker and a worker run.
    sender.add_periodic_task(
        settings.CELERY_HEARTBEAT_SECONDS,
        sender.signature("apps.core.tasks.beat_heartbeat"),
        name="worker heartbeat",
    )
    sender.add_periodic_task(
        settings.SOURCES_DISPATCH_SECONDS,
        sender.signature("apps.sources.tasks.dispatch"),
        name="dispatch due source checks",
    )
    # Webhooks are dispatched after each publication; this sweep delivers what a lost
    # message or a retry that never ran left waiting.
    sender.add_periodic_task(
        settings.WEBHOOKS_SWEEP_SECONDS,
        sender.signature("apps.webhooks.tasks.dispatch"),
        name="sweep webhook endpoints with changes waiting",
    )
    sender.add_periodic_task(
        crontab(minute=5, hour=0),
        sender.signature("apps.cases.tasks.refresh_statuses"),
        name="refresh derived statuses after midnight",
    )
    # Daily and weekly digests alike: each reader's own rhythm decides who is due.
    sender.add_periodic_task(
        crontab(minute=30, hour=6),
        sender.signature("apps.portal.tasks.send_digests"),
        name="email watchlist digests",
    )
    # The bulk snapshot clients start from (apps/api/snapshots.py), after the status
    # refresh so that it holds the day's statuses; it prunes old snapshots itself.
    sender.add_periodic_task(
        crontab(minute=30, hour=0),
        sender.signature("apps.api.tasks.cut_snapshot"),
        name="write the daily bulk snapshot",
    )
    # Nothing grows without bound: the delivery log and old source snapshots by age.
    sender.add_periodic_task(
        crontab(minute=15, hour=3),
        sender.signature("apps.webhooks.tasks.prune_deliveries"),
        name="prune the webhook delivery log",
    )
    sender.add_periodic_task(
        crontab(minute=45, hour=3),
        sender.signature("apps.sources.tasks.prune_snapshots"),
        name="prune old source snapshots",
    )
