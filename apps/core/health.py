"""Probes behind /health/. Each answers a status word, never a setting or an error text."""

from __future__ import annotations

import logging
import os
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


def broker_status() -> str:
    url: str = settings.CELERY_BROKER_URL
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
