"""What readers keep: what they follow, how often they hear of it, and what they were sent."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from apps.core.models_base import array_choice_constraint, choice_constraint
from apps.obligations.models import Addressee, RiskTier, Sector
from apps.reading.applicability import Profile


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
    # A check of a row against its sources moves its "last verified" date and nothing
    # of the law: left out of the digest and updates unless the reader asks for it.
    include_checks = models.BooleanField(
        default=False,
        help_text="Also tell me when editors only checked a row against its sources.",
    )
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


class SavedProfile(models.Model):
    """A reader's named organisation profile for the "What applies" check: the same
    answers as the page's form, each optional. Followed, the digest reports changes of
    what applies to it (apps.portal.profile_digest); `reported` keeps what it last said."""

    # CASCADE: a saved profile is the reader's own, as a watchlist is.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profiles"
    )
    name = models.CharField(max_length=120)
    markets = ArrayField(models.CharField(max_length=32), default=list, blank=True)
    roles = ArrayField(
        models.CharField(max_length=28, choices=Addressee.choices), default=list, blank=True
    )
    risk_tiers = ArrayField(
        models.CharField(max_length=16, choices=RiskTier.choices), default=list, blank=True
    )
    sectors = ArrayField(
        models.CharField(max_length=24, choices=Sector.choices), default=list, blank=True
    )
    annual_revenue_usd = models.DecimalField(max_digits=43, decimal_places=2, null=True, blank=True)
    training_compute_flop = models.DecimalField(
        max_digits=43, decimal_places=2, null=True, blank=True
    )
    users = models.PositiveBigIntegerField(null=True, blank=True)
    employees = models.PositiveBigIntegerField(null=True, blank=True)
    sme = models.BooleanField(null=True, blank=True)
    following = models.BooleanField(default=False)
    # What the digest last reported: what applied, with derived dates, and what was coming.
    # Empty until it is first followed: the starting point is not news.
    reported = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"],
                name="saved_profile_name_once",
                violation_error_message="You already have a profile with this name.",
            ),
            array_choice_constraint("roles", Addressee, "saved_profile"),
            array_choice_constraint("risk_tiers", RiskTier, "saved_profile"),
            array_choice_constraint("sectors", Sector, "saved_profile"),
            models.CheckConstraint(
                condition=(Q(annual_revenue_usd__isnull=True) | Q(annual_revenue_usd__gte=0))
                & (Q(training_compute_flop__isnull=True) | Q(training_compute_flop__gte=0)),
                name="saved_profile_facts_not_negative",
                violation_error_message="Revenue and compute cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def profile(self) -> Profile:
        return Profile(
            markets=tuple(self.markets),
            roles=tuple(self.roles),
            risk_tiers=tuple(self.risk_tiers),
            sectors=tuple(self.sectors),
            annual_revenue_usd=self.annual_revenue_usd,
            training_compute_flop=self.training_compute_flop,
            users=self.users,
            employees=self.employees,
            sme=self.sme,
        )
