"""Who may call the API: client organisations and the keys issued to them."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Scope(models.TextChoices):
    READ = "read", "read the published record"
    WEBHOOKS = "webhooks", "manage webhooks"


class ApiClient(models.Model):
    """An organisation that syncs the record (a law firm's system, a compliance tool)."""

    name = models.CharField(max_length=200, unique=True)
    contact_email = models.EmailField(blank=True)
    active = models.BooleanField(default=True, help_text="Inactive clients' keys are refused.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "API client"

    def __str__(self) -> str:
        return self.name


class ApiKeyQuerySet(models.QuerySet["ApiKey"]):
    def usable(self, now=None) -> ApiKeyQuerySet:
        now = now or timezone.now()
        return self.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now),
            revoked_at__isnull=True,
            client__active=True,
        )


class ApiKey(models.Model):
    """A key as stored: its public prefix and a hash; the secret is shown once, at issue."""

    # CASCADE: a key means nothing without its client.
    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="keys")
    name = models.CharField(max_length=100, help_text="What the client uses it for.")
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    hashed = models.CharField(max_length=64, editable=False)
    scopes = ArrayField(
        models.CharField(max_length=12, choices=Scope.choices), default=list, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Kept coarse (see apps.api.authentication.mark_used): no write per request.
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["client__name", "-created_at"]
        verbose_name = "API key"
        constraints = [
            models.CheckConstraint(
                condition=Q(scopes__contained_by=list(Scope.values)),
                name="apikey_scopes_valid",
                violation_error_message=f"scopes: use only {', '.join(Scope.values)}.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.client}: {self.name} ({self.prefix}…)"


# DRF reads `request.user.is_authenticated`: a request made with a key is the
# client's, and the client is who it is attributed to.
ApiClient.is_authenticated = True
ApiClient.is_anonymous = False
