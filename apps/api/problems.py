"""One error format for the whole API: RFC 9457 problem details.

Every error (a bad parameter, a missing key, an unknown page, too many
requests) answers `application/problem+json` with `type`, `title`, `status`
and a `detail` a person can act on; parameter errors also list each bad
parameter under `errors`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import set_rollback

from apps.core.problems import MEDIA_TYPE, PROBLEM_TYPE, problem

__all__ = ["PROBLEM_TYPE", "BadParameters", "ProblemRenderer", "bad", "handle", "problem"]


class ProblemRenderer(JSONRenderer):
    media_type = MEDIA_TYPE
    format = "problem"


class BadParameters(exceptions.ValidationError):
    """A query parameter that cannot be read: named, with what would be accepted."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def bad(parameter: str, message: str) -> BadParameters:
    return BadParameters({parameter: message})


def _flatten(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.extend(_flatten(value, "" if name == "non_field_errors" else name))
        return out
    if isinstance(detail, list):
        return [item for value in detail for item in _flatten(value, prefix)]
    return [{"parameter": prefix, "message": str(detail)}]


def handle(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Nothing is published at this address.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # a real fault: let it surface, logged, as a 500
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        detail = "; ".join(
            f"{e['parameter']}: {e['message']}" if e["parameter"] else e["message"] for e in errors
        )
        body = problem(status.HTTP_400_BAD_REQUEST, detail, errors=errors)
    else:
        body = problem(exc.status_code, str(exc.detail))
    request = context.get("request")
    if request is not None:
        # Errors are problem+json whatever format was asked for (CSV, JSON-LD).
        request.accepted_renderer = ProblemRenderer()
        request.accepted_media_type = ProblemRenderer.media_type
    set_rollback()
    return Response(body, status=exc.status_code, headers=headers)
