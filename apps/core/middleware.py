from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.middleware.http import ConditionalGetMiddleware as DjangoConditionalGet

from apps.core.logging import request_id_var
from apps.core.problems import MEDIA_TYPE, problem

# A proxy's id is reused only when it looks like one; anything else could
# smuggle text into our log lines.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RefuseNulMiddleware:
    """A NUL character in the path, the query or a JSON body is refused with a 400.

    PostgreSQL cannot store or compare text holding NUL, so such a value would reach
    the database only to fail there as a 500. No real address or document needs it.
    The API answers in its problem form; the portal with its 400 page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = self._nul_in(request)
        if where is None:
            return self.get_response(request)
        detail = f"{where}: a NUL character (%00) is never accepted"
        if request.path.startswith("/api/"):
            body = problem(400, detail, errors=[{"parameter": where, "message": detail}])
            return HttpResponse(json.dumps(body), status=400, content_type=MEDIA_TYPE)
        raise BadRequest(detail)

    @staticmethod
    def _nul_in(request: HttpRequest) -> str | None:
        if "\x00" in request.path:
            return "path"
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return name.replace("\x00", "") or "query"
        if request.content_type == "application/json" and request.method in (
            "POST",
            "PUT",
            "PATCH",
        ):
            body = request.body
            if b"\x00" in body or b"\\u0000" in body:
                return "body"
        return None


class ConditionalGetMiddleware(DjangoConditionalGet):
    """Django's ETag and If-None-Match / If-Modified-Since handling, for HEAD too.

    Django's own answers only GET: a HEAD carried no ETag and a conditional HEAD
    answered 200. A HEAD is a GET without its body (the body is dropped after this
    runs), so it gets the same validators and the same 304.
    """

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if request.method != "HEAD":
            return super().process_response(request, response)
        request.method = "GET"
        try:
            return super().process_response(request, response)
        finally:
            request.method = "HEAD"
