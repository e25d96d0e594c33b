"""Where a client wants changes pushed, and what happened to each push.

An endpoint is an outbox reader: `cursor` is the last AppliedChange id it has
been given (or passed over because its kinds did not want it), so a delivery
is "the changes after the cursor", and nothing published is lost when the
worker, the broker or the receiver is down for a while.
"""

from __future__ import annotations

import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from apps.api.models import ApiClient
from apps.core.models_base import array_choice_constraint, choice_constraint
from apps.record.models import Target


class WebhookEndpoint(models.Model):
    # The id clients see: a row number would tell them how many endpoints exist.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # CASCADE: an endpoint means nothing without the client it pushes to.
    client = models.ForeignKey(
        ApiClient, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=2000, help_text="Where the changes are POSTed.")
    description = models.CharField(max_length=200, blank=True)
    kinds = ArrayField(
        models.CharField(max_length=16, choices=Target.choices),
        default=list,
        blank=True,
        help_text="The kinds of record it wants changes of; empty means all.",
    )
    # Kept in clear: signing needs the secret itself, so a hash would not do. It is
    # shown once, when the endpoint is created, and never again (admin or API).
    secret = models.CharField(max_length=64, editable=False)
    active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.CharField(max_length=500, blank=True, editable=False)
    cursor = models.BigIntegerField(
        default=0,
        editable=False,
        help_text="The last change id delivered (or not wanted by its kinds).",
    )
    # When the next attempt is due after a failure (exponential backoff).
    next_attempt_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A delivery in flight holds the endpoint until this time, so two workers never
    # send the same batch at once; a worker that dies lets it lapse.
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["client__name", "created_at"]
        verbose_name = "webhook endpoint"
        constraints = [array_choice_constraint("kinds", Target, "webhook")]

    def __str__(self) -> str:
        return f"{self.client}: {self.url}"

    def wants(self, target: str) -> bool:
        return not self.kinds or target in self.kinds


class Status(models.TextChoices):
    PENDING = "pending", "pending"
    DELIVERED = "delivered", "delivered"
    FAILED = "failed", "failed"
    REFUSED = "refused", "refused (not a public address)"


class WebhookDelivery(models.Model):
    """One attempt to POST one batch of changes; the log is never pruned by the app."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    change_ids = ArrayField(models.BigIntegerField(), default=list)
    attempt = models.PositiveIntegerField(
        default=1, help_text="1 for the first try of these changes, 2 for the first retry..."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["endpoint", "-id"], name="webhook_delivery_log_idx")]
        constraints = [
            choice_constraint("status", Status, "webhook_delivery"),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(finished_at__isnull=False),
                name="webhook_delivery_finished_has_time",
                violation_error_message="A finished delivery says when it finished.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.endpoint.url} #{self.pk}: {self.status}"
