"""The schema and its documentation pages are public; unknown API paths answer in problem+json."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny


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
    raise NotFound(f"There is nothing at {request.path}; the API's index is /api/schema/.")
