"""A search's answer as kept under the record's version (apps.reading.cache): the
ids of the rows shown with their ranks and snippets, the count and the facets, as
JSON. A repeated search then costs the version, one Redis GET and one read of the
twenty rows by id, instead of the full-text match, the facets and the ranking
(bench/RESULTS.md, benchmark 3).

The rows themselves are read again on each answer (their titles, statuses and
jurisdictions), so a kept answer never holds a model object, only what the
search decided: which rows, in which order, with which words marked.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.db.models import Model, QuerySet


def encode(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def decode(body: bytes) -> dict[str, Any]:
    return json.loads(body)


def shown(rows: Iterable[Any]) -> list[list]:
    """[id, rank, snippet] of each row shown, in order (a page without a query has
    neither rank nor snippet)."""
    return [
        [row.pk, float(getattr(row, "rank", 0.0)), getattr(row, "snippet", None)] for row in rows
    ]


def rows_again(kept: list[list], rows: QuerySet) -> list[Model]:
    """The rows `kept` names, read by id from `rows`, in the kept order, with their
    kept rank and snippet. A row gone from `rows` since is left out."""
    by_id = rows.in_bulk([pk for pk, _, _ in kept])
    found = []
    for pk, rank, snippet in kept:
        row = by_id.get(pk)
        if row is not None:
            row.rank, row.snippet = rank, snippet
            found.append(row)
    return found
