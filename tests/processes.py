"""Start real project processes (a Celery worker) from tests, against the test database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from tracker.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent


def test_database_url() -> str:
    """The URL of the database this test run uses, for child processes."""
    db = connection.settings_dict
    host = quote(db["HOST"] or "", safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{host}{port}/{db['NAME']}"


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="tracker.settings",
        DATABASE_URL=test_database_url(),
        TRACKER_LOCAL_DIR=settings.TEST_LOCAL_DIR,
        PYTHONUNBUFFERED="1",
    )
    env.pop("CELERY_BROKER_URL", None)
    env.update(extra)
    return env


@contextmanager
def celery_worker(
    log_path: Path, *, broker_url: str | None = None, **env: str
) -> Iterator[subprocess.Popen]:
    """A real `celery worker` process; waits until it logs that it is ready.

    On the test suite's folder broker, what earlier tests queued without a worker
    (every publication queues a webhook dispatch, every transition a notice) is
    dropped first: a worker that works through that backlog answers late.
    """
    if broker_url is None:
        drain_folder_broker()
    extra = {"CELERY_BROKER_URL": broker_url} if broker_url else {}
    extra.update(env)
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "tracker",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                "1",
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=ROOT,
            env=child_env(**extra),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(
            lambda: b" ready." in log_path.read_bytes(),
            timeout=60,
            what=f"worker ready (log: {log_path})",
            proc=proc,
        )
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def drain_folder_broker() -> None:
    from django.conf import settings

    folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("data_folder_in")
    if settings.CELERY_BROKER_URL.startswith("filesystem://") and folder:
        for message in Path(folder).glob("*"):
            message.unlink(missing_ok=True)


def wait_for(predicate, *, timeout: float, what: str, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"process exited with {proc.returncode} while waiting for {what}")
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@contextmanager
def web_side_broker(url: str | None):
    """Point this (web) process's Celery producer at `url` for one test."""
    if url is None:
        yield
        return
    saved = (celery_app.conf.broker_url, celery_app.conf.broker_transport_options)
    celery_app.conf.broker_url = url
    celery_app.conf.broker_transport_options = {}
    _reset_producers()
    try:
        yield
    finally:
        _reset_producers()
        celery_app.conf.broker_url, celery_app.conf.broker_transport_options = saved


def _reset_producers() -> None:
    """Drop every cached connection and producer so the next send uses the new broker."""
    from kombu import pools

    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    pools.reset()
