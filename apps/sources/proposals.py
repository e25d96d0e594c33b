"""Run a source's adapter over a fetched body; adapters' failures never fail a check."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from typing import Any

logger = logging.getLogger(__name__)


def proposals_for(adapter: str, body: bytes) -> list[dict[str, Any]]:
    try:
        found = _run(adapter, body)
    except Exception:
        # A source whose format drifted still yields its text diff; the editor
        # reads the evidence, and the log says which adapter needs attention.
        logger.warning("adapter %s could not read the body", adapter, exc_info=True)
        return []
    return [_json_safe(asdict(p)) for p in found]


def _run(adapter: str, body: bytes) -> list[Any]:
    if adapter == "federal_register":
        from apps.sources.adapters import federal_register

        return federal_register.proposals(federal_register.parse_document(json.loads(body)))
    if adapter == "congress":
        from apps.sources.adapters import congress

        bill = congress.parse_bill(json.loads(body))
        return congress.proposals(bill, [])
    if adapter == "eurlex":
        from apps.sources.adapters import eurlex

        return eurlex.proposals(eurlex.parse_consolidated(body))
    return []


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))
