"""Requests are attributed to a client by its key: `Authorization: Bearer <key>`."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from apps.api import keys
from apps.api.models import ApiKey

# last_used_at is a day-to-day signal ("is this key still in use?"), so it is
# written at most once per key in this interval rather than on every request.
USED_RESOLUTION = dt.timedelta(minutes=5)


def mark_used(key: ApiKey, now: dt.datetime) -> None:
    if key.last_used_at is not None and now - key.last_used_at < USED_RESOLUTION:
        return
    stale = now - USED_RESOLUTION
    # Conditional, so concurrent requests on one key write once between them.
    ApiKey.objects.filter(pk=key.pk).exclude(last_used_at__gt=stale).update(last_used_at=now)
    key.last_used_at = now


class KeyAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        given = self._given(request)
        if given is None:
            return None
        key = keys.find(given)
        if key is None:
            raise AuthenticationFailed("This API key is not known.")
        now = timezone.now()
        if key.revoked_at is not None:
            raise AuthenticationFailed("This API key was revoked.")
        if key.expires_at is not None and key.expires_at <= now:
            raise AuthenticationFailed("This API key has expired.")
        if not key.client.active:
            raise AuthenticationFailed("This API client is disabled.")
        mark_used(key, now)
        return key.client, key

    def _given(self, request) -> str | None:
        header = get_authorization_header(request).split()
        if header and header[0].lower() == self.keyword:
            if len(header) != 2:
                raise AuthenticationFailed("Send the key as `Authorization: Bearer <key>`.")
            try:
                return header[1].decode()
            except UnicodeDecodeError as exc:
                raise AuthenticationFailed("The API key is not valid text.") from exc
        other = request.META.get("HTTP_X_API_KEY")
        return other or None

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class KeyScheme(OpenApiAuthenticationExtension):
    """How the schema describes key authentication."""

    target_class = "apps.api.authentication.KeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "An API key: trk_…"}
