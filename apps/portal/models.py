"""What readers keep: what they follow, how often they hear of it, and what they were sent."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from apps.core.models_base import choice_constraint


class WatchKind(models.TextChoices):
    JURISDICTION = "jurisdiction", "jurisdiction"
    INSTRUMENT = "instrument", "instrument"
    TOPIC = "topic", "topic"
    SEARCH = "search", "saved search"


class Watch(models.Model):
    """One thing a reader follows, named by its stable id (a code, a slug, a topic, a query)."""

    # CASCADE: a watchlist is the reader's own.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watches"
    )
    kind = models.CharField(max_length=12, choices=WatchKind.choices)
    value = models.CharField(max_length=300, help_text="A code, a slug, a topic or a search query.")
    label = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "label", "value"]
        constraints = [
            choice_constraint("kind", WatchKind, "watch"),
            models.UniqueConstraint(
                fields=["user", "kind", "value"],
                name="watch_once",
                violation_error_message="You already follow this.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.label or self.value}"


class Frequency(models.TextChoices):
    NEVER = "never", "no email"
    DAILY = "daily", "daily"
    WEEKLY = "weekly", "weekly"


class Reader(models.Model):
    """A reader's portal preferences: the digest's rhythm and the calendar feed's secret."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reader"
    )
    digest = models.CharField(max_length=8, choices=Frequency.choices, default=Frequency.WEEKLY)
    last_digest_at = models.DateTimeField(null=True, blank=True)
    # A secret in the URL of the calendar feed (calendar apps cannot sign in);
    # rotating it cuts off every copy of the old URL.
    calendar_token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe)

    class Meta:
        constraints = [choice_constraint("digest", Frequency, "reader")]

    def __str__(self) -> str:
        return f"reader {self.user}"

    def rotate_calendar_token(self) -> None:
        self.calendar_token = secrets.token_urlsafe()
        self.save(update_fields=["calendar_token"])


class DigestEntry(models.Model):
    """A change a reader was sent: each change reaches each reader once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # PROTECT: the audit trail is never deleted; this only points into it.
    change = models.ForeignKey("record.AppliedChange", on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "change"], name="digest_entry_once")]
        indexes = [models.Index(fields=["user", "-change"], name="digest_user_change_idx")]

    def __str__(self) -> str:
        return f"change {self.change_id} sent to {self.user_id}"
