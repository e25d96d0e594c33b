"""The schema, its documentation pages and the API's index are public; unknown API paths
answer in problem+json."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
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
    "webhooks": "api:webhook-list",
}


def public(view_class):
    """`view_class` open to anyone: no key needed to learn how to use the API."""
    return type(
        f"Public{view_class.__name__}",
        (view_class,),
        {"permission_classes": [AllowAny], "authentication_classes": []},
    )


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
