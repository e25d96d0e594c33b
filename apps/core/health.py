"""Probes behind /health/. Each answers a status word, never a setting or an error text."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("health: database unreachable")
        return "error"
    return "ok"


_BROKER_TTL = 5.0  # seconds one probe answer is reused
_broker_probe: dict[str, tuple[float, str]] = {}


def broker_status() -> str:
    """The broker's status, probed at most once per few seconds per process.

    /health/ is public: without the cache every request would open a broker
    connection, and a dead broker would hold each one for the connect timeout.
    """
    url: str = settings.CELERY_BROKER_URL
    cached = _broker_probe.get(url)
    now = time.monotonic()
    if cached is not None and now - cached[0] < _BROKER_TTL:
        return cached[1]
    status = _probe_broker(url)
    _broker_probe[url] = (now, status)
    return status


def _probe_broker(url: str) -> str:
    try:
        if url.startswith("filesystem://"):
            folder = Path(str(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]))
            return "ok" if folder.is_dir() and os.access(folder, os.W_OK) else "error"
        from kombu import Connection

        with Connection(url, connect_timeout=1, transport_options={"max_retries": 0}) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception:
        # Logged for operators, but the reason never reaches the response.
        logger.warning("health: broker unreachable", exc_info=True)
        return "error"
    return "ok"
