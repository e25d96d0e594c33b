"""The problem document (RFC 9457) every API error is written as.

It lives here, below the API, so that what refuses a request before the API sees it
(apps.core.middleware) answers in the same form as the API itself.
"""

from __future__ import annotations

from typing import Any

PROBLEM_TYPE = "/api/problems/"
MEDIA_TYPE = "application/problem+json"

_TITLES = {
    400: ("bad-request", "Bad request"),
    401: ("not-authenticated", "Not authenticated"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    415: ("unsupported-media-type", "Unsupported media type"),
    429: ("throttled", "Too many requests"),
}


def problem(status_code: int, detail: str, **extra: Any) -> dict[str, Any]:
    slug, title = _TITLES.get(status_code, ("error", "Error"))
    return {
        "type": PROBLEM_TYPE + slug,
        "title": title,
        "status": status_code,
        "detail": detail,
        **extra,
    }
