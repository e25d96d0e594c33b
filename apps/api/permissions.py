"""Who may read: a key with the scope the endpoint needs, or anyone if the setting says so."""

from __future__ import annotations

from django.conf import settings
from rest_framework.permissions import BasePermission

from apps.api.models import ApiKey, Scope


class HasScope(BasePermission):
    """Read endpoints need `read`; webhook endpoints set `required_scope` to `webhooks`."""

    message = "This API key lacks the scope this endpoint needs."

    def has_permission(self, request, view) -> bool:
        scope = getattr(view, "required_scope", Scope.READ)
        if isinstance(request.auth, ApiKey):
            if scope in request.auth.scopes:
                return True
            self.message = f"This API key lacks the `{scope}` scope."
            return False
        if scope == Scope.READ and settings.API_ANONYMOUS_READ:
            return True
        self.message = "Send an API key: `Authorization: Bearer <key>`."
        return False
