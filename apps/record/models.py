"""The audit trail of the record, and the vocabularies of its changes.

Every change applied to a curated row is one AppliedChange, written by the one
write path (apps.record.services.write). The record does not know the
editorial workflow: an AppliedChange names its case by a lazy reference, so
this app never imports apps.cases.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core.models_base import choice_constraint
from apps.record.registry import REGISTRY

# The kinds of curated row, from the one registry (apps.record.registry).
Target = models.TextChoices("Target", [(t.upper(), (t, t)) for t in REGISTRY])


class Action(models.TextChoices):
    CREATE = "create", "create"
    UPDATE = "update", "update"
    RETIRE = "retire", "retire"


class Origin(models.TextChoices):
    CASE = "case", "approved in a case"
    DIRECT = "direct", "direct edit by an administrator"
    SEED = "seed", "seed load"
    SYSTEM = "system", "derived by the system"
    # An editor's check of a row against a citation (services.verify): no
    # second person is needed to say that one has read a source.
    VERIFY = "verify", "checked by an editor"


class AppliedChange(models.Model):
    """The audit trail: every change applied to a curated row, in commit order.

    Written only by apps.record.services.write, in the transaction that changes
    the row. `before` and `after` hold exactly the keys that changed (the
    whole row for a creation or a retirement). Ids are allocated under a
    transaction-level advisory lock every writer takes, so they increase in
    commit order and a reader of "changes since id N" never misses a row
    committed later with a smaller id.
    """

    target = models.CharField(max_length=16, choices=Target.choices)
    action = models.CharField(max_length=8, choices=Action.choices)
    row_id = models.BigIntegerField()
    version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The row's version after this change."
    )
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    origin = models.CharField(max_length=8, choices=Origin.choices, default=Origin.CASE)
    reason = models.CharField(
        max_length=500, blank=True, help_text="Why, when no case says it: the seed, a derivation."
    )
    # PROTECT: the audit trail must not lose its case.
    case = models.ForeignKey(
        "cases.Case", null=True, on_delete=models.PROTECT, related_name="applied"
    )
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["target", "row_id", "-id"], name="applied_row_idx"),
            models.Index(fields=["case", "id"], name="applied_case_idx"),
        ]
        constraints = [
            choice_constraint("target", Target, "applied"),
            choice_constraint("action", Action, "applied"),
            choice_constraint("origin", Origin, "applied"),
            models.CheckConstraint(
                condition=~Q(origin="case") | Q(case__isnull=False),
                name="applied_case_origin_has_case",
                violation_error_message="A change approved in a case names its case.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.target} {self.row_id} ({self.get_origin_display()})"


class Verification(models.Model):
    """An editor's check of one curated row against one citation, on one day.

    Written only by apps.record.services.verify, with the AppliedChange that
    moved the row's `last_verified_on` when it moved (a check of an older day,
    or a second check of the same day, moves nothing but is still recorded).
    `locator` and `states` are what this check found; the citation keeps its
    own (the first check fills them in when the citation has none).
    """

    target = models.CharField(max_length=16, choices=Target.choices)
    row_id = models.BigIntegerField()
    # PROTECT: a check must keep the source it was made against.
    citation = models.ForeignKey(
        "core.Citation", on_delete=models.PROTECT, related_name="verifications"
    )
    checked_on = models.DateField(help_text="The day the editor read the source.")
    locator = models.CharField(max_length=300, help_text="Where in the source the fact stands.")
    states = models.TextField(help_text="What the source was read to state, in own words.")
    # PROTECT: the audit trail names who checked; accounts are deactivated, not deleted.
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # PROTECT: the case the check was made in, when there was one.
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # PROTECT: the audit trail keeps both halves.
    change = models.ForeignKey(
        AppliedChange, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["target", "row_id", "-id"], name="verification_row_idx")]
        constraints = [
            choice_constraint("target", Target, "verification"),
            models.CheckConstraint(
                condition=~Q(locator="") & ~Q(states=""),
                name="verification_locator_and_statement",
                violation_error_message="A check names where the fact stands and what it says.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target} {self.row_id} checked {self.checked_on} against {self.citation_id}"
