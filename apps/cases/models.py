from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core.models_base import choice_constraint
from apps.instruments.models import Instrument
from apps.record.models import Action, Target


class State(models.TextChoices):
    NEW = "new", "new"
    TRIAGED = "triaged", "triaged"
    IN_PROGRESS = "in_progress", "in progress"
    IN_REVIEW = "in_review", "in review"
    PUBLISHED = "published", "published"
    DISMISSED = "dismissed", "dismissed"


# A case is being worked while proposals may still be added, withdrawn or rebased.
WORKING_STATES = [State.NEW, State.TRIAGED, State.IN_PROGRESS]
OPEN_STATES = [*WORKING_STATES, State.IN_REVIEW]


class Kind(models.TextChoices):
    SOURCE_CHANGE = "source_change", "source change"
    NEW_INSTRUMENT = "new_instrument", "new instrument"
    CORRECTION = "correction", "correction"
    READER_REQUEST = "reader_request", "reader request"


class Priority(models.IntegerChoices):
    LOW = 1, "low"
    NORMAL = 2, "normal"
    HIGH = 3, "high"
    URGENT = 4, "urgent"


class CaseQuerySet(models.QuerySet["Case"]):
    def open(self) -> CaseQuerySet:
        return self.filter(state__in=OPEN_STATES)

    def overdue(self, today) -> CaseQuerySet:
        return self.open().filter(due_on__lt=today)


class Case(models.Model):
    """The unit of editorial work: a changeset with its evidence, discussion and review."""

    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    due_on = models.DateField(null=True, blank=True)
    state = models.CharField(
        max_length=12, choices=State.choices, default=State.NEW, editable=False
    )
    # SET_NULL: a departed colleague's cases stay, unassigned.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opened_cases",
        help_text="Empty when a watcher job opened the case.",
    )
    # A reader is not an author: the desk's notices (with admin links) go to created_by;
    # the reader hears only the outcome, on the portal and by a reply (apps/cases/reports.py).
    # SET_NULL: the case outlives the reader's account.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_cases",
        editable=False,
        help_text="The reader whose report opened the case.",
    )
    # SET_NULL: the case and its history outlive the instrument it was about.
    instrument = models.ForeignKey(
        Instrument,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        help_text="The instrument the case is about, when there is one.",
    )
    # SET_NULL: the case outlives a deleted source.
    source = models.ForeignKey(
        "sources.Source",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        help_text="The watched source whose change opened the case.",
    )
    follows_up = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
        help_text="The published case whose change made this one necessary.",
    )
    description = models.TextField(blank=True)
    public_reason = models.CharField(
        max_length=500,
        blank=True,
        help_text="Why the record changed, in words for readers: the API's changes feed "
        "and webhooks publish it (the title and description stay internal). Empty: a "
        'neutral sentence such as "Instrument updated by the editors." is published.',
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-priority", "due_on", "-created_at"]
        permissions = [
            ("work_case", "Can work cases and propose changes"),
            ("review_case", "Can return, approve and publish cases"),
            ("administer_case", "Can administer cases and edit rows directly"),
        ]
        constraints = [
            choice_constraint("state", State, "case"),
            choice_constraint("kind", Kind, "case"),
            models.CheckConstraint(
                condition=Q(priority__in=Priority.values),
                name="case_priority_valid",
                violation_error_message="priority: unknown value.",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "assignee"], name="case_queue_idx"),
            models.Index(
                fields=["due_on"], condition=Q(state__in=OPEN_STATES), name="case_open_due_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_being_worked(self) -> bool:
        return self.state in WORKING_STATES


class Transition(models.Model):
    """One entry of a case's timeline, written in the same transaction as the move."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=12, blank=True, choices=State.choices)
    to_state = models.CharField(max_length=12, choices=State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            choice_constraint("to_state", State, "transition"),
            choice_constraint("from_state", State, "transition", blank=True),
        ]

    def __str__(self) -> str:
        return f"{self.from_state or 'opened'} -> {self.to_state}"


class Comment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"comment by {self.author} on case {self.case_id}"


class EvidenceKind(models.TextChoices):
    SOURCE_CHANGE = "source_change", "source change"
    READER_REQUEST = "reader_request", "reader request"
    NOTE = "note", "editor's note"


class Evidence(models.Model):
    """What opened or supports a case. Text only: fetched HTML is never stored here raw."""

    EvidenceKind = EvidenceKind  # kept reachable as Evidence.EvidenceKind

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=16, choices=EvidenceKind.choices)
    url = models.URLField(max_length=1000, blank=True)
    title = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True, help_text="Plain text: a diff, a reader's message.")
    source_change = models.ForeignKey(
        "sources.Change",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence",
        help_text="The detected change this evidence shows.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "evidence"
        constraints = [
            choice_constraint("kind", EvidenceKind, "evidence"),
            # A redelivered check must not attach the same change twice.
            models.UniqueConstraint(fields=["case", "source_change"], name="evidence_change_once"),
        ]

    def __str__(self) -> str:
        return self.title or self.get_kind_display()


class ProposedChange(models.Model):
    """A change to one curated row, held in its case until a reviewer approves it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="changes")
    target = models.CharField(max_length=16, choices=Target.choices)
    action = models.CharField(max_length=8, choices=Action.choices)
    row_id = models.BigIntegerField(null=True, blank=True, help_text="Empty for a new row.")
    base_version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The row's version the proposal was made against."
    )
    values = models.JSONField(default=dict, blank=True, help_text="The proposed values.")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["proposed_at", "id"]
        constraints = [
            choice_constraint("target", Target, "change"),
            choice_constraint("action", Action, "change"),
            models.CheckConstraint(
                condition=Q(action="create", row_id__isnull=True, base_version__isnull=True)
                | Q(~Q(action="create"), row_id__isnull=False, base_version__isnull=False),
                name="change_row_matches_action",
                violation_error_message="A new row has no id or base version; a change to "
                "an existing row has both.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.target} {self.row_id or '(new)'}"


class ReportDuty(models.Model):
    """Who takes a reader's report: the editor responsible for a jurisdiction, or, on
    the one row without a jurisdiction, the editor on duty for every other report.

    Kept in the database, edited by administrators in the desk, rather than a setting:
    the rota changes weekly and must not wait for a deploy, and the admin checks that
    the person named can work cases.
    """

    # CASCADE: a jurisdiction deleted outright takes its duty with it (retired ones stay).
    jurisdiction = models.ForeignKey(
        "jurisdictions.Jurisdiction",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Empty: the on-duty editor, who takes every report no jurisdiction's "
        "editor takes.",
    )
    # CASCADE: a deleted account holds no duty; the rule then falls through to the next.
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_duties"
    )

    class Meta:
        verbose_name = "reader-report duty"
        verbose_name_plural = "reader-report duties"
        constraints = [
            # One editor per jurisdiction and one on duty: NULL counts as one value here.
            models.UniqueConstraint(
                fields=["jurisdiction"],
                name="report_duty_once",
                nulls_distinct=False,
                violation_error_message="This jurisdiction (or the on-duty slot) already "
                "has its editor: change that row instead.",
            )
        ]

    def __str__(self) -> str:
        where = self.jurisdiction.name if self.jurisdiction_id else "on duty"
        return f"{self.editor} ({where})"
