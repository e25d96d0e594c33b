"""The schema, its documentation pages and the API's index are public; unknown API paths
answer in problem+json."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import drf_spectacular_sidecar
from django.http import HttpResponse
from django.urls import reverse as reverse_path
from django.views.decorators.http import require_GET
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse

# The resources of version 1, by the names of their list routes (apps.api.urls).
V1_LISTS = {
    "jurisdictions": "api:jurisdiction-list",
    "instruments": "api:instrument-list",
    "obligations": "api:obligation-list",
    "amendments": "api:amendment-list",
    "changes": "api:changes",
    "search": "api:search",
    "compare": "api:compare",
    "coverage": "api:coverage",
    "applicability": "api:applicability",
    "snapshots": "api:snapshots",
    "webhooks": "api:webhook-list",
}


def public(view_class):
    """`view_class` open to anyone: no key needed to learn how to use the API."""
    return type(
        f"Public{view_class.__name__}",
        (view_class,),
        {"permission_classes": [AllowAny], "authentication_classes": []},
    )


# Our copy of the sidecar's Redoc bundle, changed in two places, so that the docs page
# runs under a policy with neither inline styles nor anything from outside the site:
# - the sidebar's logo of Redoc's maker, from their CDN (refused by the policy, and it
#   would leave the site if not), is a blank image from a data: address;
# - the nonce its <style> elements carry is the one on its <script> element from the
#   start: the bundle writes styles while it loads, before it reads its options.
REDOC_BUNDLE = (
    Path(drf_spectacular_sidecar.__file__).parent
    / "static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
)
REDOC_CHANGES = {
    "https://cdn.redoc.ly/redoc/logo-mini.svg": (
        "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E"
    ),
    # webpack's runtime: the nonce every style the bundle inserts is given.
    "r.nc=void 0;": "r.nc=(document.currentScript||{}).nonce;",
}


@cache
def _redoc_bundle() -> bytes:
    text = REDOC_BUNDLE.read_text(encoding="utf-8")
    # A Redoc whose code moved serves unchanged: the docs pages' browser test then
    # reports the policy violations, which say what to change here.
    for found, replacement in REDOC_CHANGES.items():
        if text.count(found) == 1:
            text = text.replace(found, replacement)
    return text.encode()


@require_GET
def redoc_bundle(request):
    response = HttpResponse(_redoc_bundle(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response


class RedocPage(SpectacularRedocView):
    """drf-spectacular's Redoc page (templates/drf_spectacular/redoc.html), loading our
    copy of the bundle."""

    @staticmethod
    def _redoc_standalone():
        return reverse_path("api:redoc-bundle")


@extend_schema(exclude=True)
@api_view(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
@authentication_classes([])
@permission_classes([AllowAny])
def unknown(request):
    raise NotFound(f"There is nothing at {request.path}; the API's index is /api/.")


def _links(request, names: dict[str, str]) -> dict[str, str]:
    return {key: reverse(name, request=request) for key, name in names.items()}


@extend_schema(exclude=True)
@api_view(["GET", "HEAD"])
@authentication_classes([])
@permission_classes([AllowAny])
def index(request):
    """Where to start: the versions, the schema and its two documentation pages."""
    return Response(
        {
            "title": "AI regulation tracker API",
            "versions": _links(request, {"v1": "api:v1-index"}),
            "schema": reverse("api:schema", request=request),
            "docs": _links(request, {"redoc": "api:redoc", "swagger": "api:swagger"}),
            "authentication": "Authorization: Bearer <key>; the schema and these pages need none.",
        }
    )


@extend_schema(exclude=True)
@api_view(["GET", "HEAD"])
@authentication_classes([])
@permission_classes([AllowAny])
def v1_index(request):
    """Version 1's resources: each a link (reading them needs a key)."""
    return Response(
        {
            "version": "v1",
            "resources": _links(request, V1_LISTS),
            "index": reverse("api:index", request=request),
        }
    )
