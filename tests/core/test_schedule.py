"""Beat's schedule names tasks a worker knows (issue 27: the snapshot and the pruning)."""

from __future__ import annotations


def test_every_scheduled_task_is_registered_and_the_daily_upkeep_is_scheduled():
    from tracker.celery import app

    app.loader.import_default_modules()
    app.finalize()
    app.on_after_finalize.send(sender=app)  # what beat's start does
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert scheduled - set(app.tasks) == set(), "beat would send tasks no worker has"
    assert {
        "apps.api.tasks.cut_snapshot",
        "apps.webhooks.tasks.prune_deliveries",
        "apps.sources.tasks.prune_snapshots",
    } <= scheduled
