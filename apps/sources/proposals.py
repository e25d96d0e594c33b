"""Run a source's adapter over a fetched body; adapters' failures never fail a check.

An adapter is the module of that name in apps.sources.adapters offering
`read(body, previous)` (see that package): adding one touches only its module.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

logger = logging.getLogger(__name__)


def proposals_for(adapter: str, body: bytes, previous: bytes | None = None) -> list[dict[str, Any]]:
    """The adapter's proposals for `body`; with the `previous` body of the same source,
    only what the new body says that the previous one did not."""
    try:
        read = _reader(adapter)
        found = read(bytes(body), bytes(previous) if previous is not None else None) if read else []
    except Exception:
        # A source whose format drifted still yields its text diff; the editor
        # reads the evidence, and the log says which adapter needs attention.
        logger.warning("adapter %s could not read the body", adapter, exc_info=True)
        return []
    return [p.to_json() for p in found]


def _reader(adapter: str):
    if not adapter.isidentifier():
        return None
    name = f"apps.sources.adapters.{adapter}"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise  # the adapter exists but cannot load: that is logged, not hidden
        return None  # an adapter name no module answers to: the text diff only
    return getattr(module, "read", None)
