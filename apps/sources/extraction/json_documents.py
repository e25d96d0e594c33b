"""JSON: the document (or what a small JSON path selects) dumped with sorted keys and
one-space indentation, after volatile, ignored and empty keys are dropped."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from apps.sources.extraction.common import Extracted, ExtractionError, normalise

# Fields that change on every fetch of an otherwise unchanged document (see
# tests/fixtures/README.md): view counters and "last checked" stamps.
VOLATILE_JSON_KEYS: frozenset[str] = frozenset(
    {"page_views", "checked_regulationsdotgov_at", "last_updated_at_regulationsdotgov"}
)

# A URL whose whole query is a number is a cache-buster (images?1485454275).
_CACHE_BUSTER = re.compile(r"^(https?://[^?#\s]+)\?\d+$")
_JSON_PATH_STEP = re.compile(r"\.([A-Za-z_][\w-]*)|\[(-?\d+|\*)\]|\[(['\"])(.*?)\3\]")

IgnoredPaths = list[tuple[bool, tuple[str, ...]]]  # (anchored at the root, key path)


def _clean_json(value: Any, path: tuple[str, ...], paths: IgnoredPaths) -> Any:
    """Drop volatile, ignored and empty keys at any depth; tidy strings so that reflowed
    text and cache-busting query strings are no change."""
    if isinstance(value, dict):
        cleaned = {}
        for key, item in value.items():
            key = key.replace("\x00", "")
            here = (*path, key)
            if any(here[-len(parts) :] == parts for anchored, parts in paths if not anchored):
                continue
            if any(here == parts for anchored, parts in paths if anchored):
                continue
            kept = _clean_json(item, here, paths)
            # Absent, null and empty mean the same: a key that a newer schema adds with
            # no value yet (or an older one lacks) is no change of the document.
            if kept not in (None, "", [], {}):
                cleaned[key] = kept
        return cleaned
    if isinstance(value, list):
        return [_clean_json(item, path, paths) for item in value]
    if isinstance(value, str):
        text = normalise(value).replace("\n", " ")
        return _CACHE_BUSTER.sub(r"\1", text)
    return value


def _ignored_paths(entries: Sequence[str]) -> IgnoredPaths:
    """A name matches a key anywhere, "a.b" the end of a key path, "$.a.b" the whole
    path. List indices are no part of a path: "results[*].excerpts" is results.excerpts."""
    paths: IgnoredPaths = []
    for entry in entries:
        parts = tuple(p for p in re.sub(r"\[[^\]]*\]", "", entry.lstrip("$")).split(".") if p)
        if parts:
            paths.append((entry.startswith("$"), parts))
    return paths


def _select_json(data: Any, selector: str) -> tuple[bool, Any]:
    """A small JSON path: $, .key, ['key'], [0], [-1], [*]. Returns (found, value)."""
    if not selector.startswith("$"):
        raise ExtractionError(f"a JSON path starts with $: {selector!r}")
    steps = list(_JSON_PATH_STEP.finditer(selector, 1))
    if "".join(step.group(0) for step in steps) != selector[1:]:
        raise ExtractionError(f"unsupported JSON path {selector!r}")
    values, spread = [data], False
    for step in steps:
        key = step.group(1) or step.group(4)
        following: list[Any] = []
        for value in values:
            if step.group(2) == "*":
                if isinstance(value, list):
                    following.extend(value)
                elif isinstance(value, dict):
                    following.extend(value[k] for k in sorted(value))
            elif key is not None:
                if isinstance(value, dict) and key in value:
                    following.append(value[key])
            elif isinstance(value, list) and -len(value) <= int(step.group(2)) < len(value):
                following.append(value[int(step.group(2))])
        if step.group(2) == "*":
            spread = True
        elif not spread and not following:
            return False, None
        values = following
    return True, values if spread else values[0]


def extract_json(body: bytes, selector: str, ignored: list[str]) -> Extracted:
    try:
        data = json.loads(body)
        data = _clean_json(data, (), _ignored_paths([*sorted(VOLATILE_JSON_KEYS), *ignored]))
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ExtractionError("the response is not valid JSON") from None
    if selector:
        found, data = _select_json(data, selector)
        if not found:
            return Extracted("", False)
    text = json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False)
    # "\ud800" is valid JSON but no text: an unpaired surrogate cannot be encoded (to
    # hash or to store), so it becomes "?".
    return Extracted(text.encode("utf-8", errors="replace").decode("utf-8"), True)
