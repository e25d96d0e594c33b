from __future__ import annotations

from django.db import models


class Provenance(models.TextChoices):
    SEED = "seed", "from the seed document"
    OUTSIDE_SEED = "outside_seed", "from outside the seed"
    MIXED = "mixed", "seed and outside sources"
    EDITORIAL = "editorial", "added by the editors"


def choice_constraint(
    field: str, choices: type[models.TextChoices], prefix: str, *, blank: bool = False
) -> models.CheckConstraint:
    values = list(choices.values) + ([""] if blank else [])
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__in": values}),
        name=f"{prefix}_{field}_valid",
        violation_error_message=f"{field}: unknown value; use one of {', '.join(choices.values)}.",
    )


def array_choice_constraint(
    field: str, choices: type[models.TextChoices], prefix: str
) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__contained_by": list(choices.values)}),
        name=f"{prefix}_{field}_valid",
        violation_error_message=f"{field}: unknown value; use only {', '.join(choices.values)}.",
    )


class Sourced(models.Model):
    """A row that states facts: where they come from is part of the row."""

    provenance = models.CharField(
        max_length=12,
        choices=Provenance.choices,
        default=Provenance.EDITORIAL,
        help_text="Whether these facts come from the seed document or from elsewhere.",
    )
    provenance_note = models.CharField(
        max_length=500,
        blank=True,
        help_text="Which facts come from outside the seed, when the row mixes both.",
    )

    class Meta:
        abstract = True


class CuratedQuerySet(models.QuerySet):
    def published(self):
        """What readers and API clients may see: every row not retired.

        Proposed changes live in their case until a reviewer approves them, so
        nothing unreviewed is ever in these tables.
        """
        return self.filter(retired_at__isnull=True)


class Curated(Sourced):
    """A published row that editors change only through cases; `version` counts changes."""

    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    retired_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Set when a case retires the row: it stays for history, hidden from readers.",
    )

    objects = CuratedQuerySet.as_manager()

    class Meta:
        abstract = True


class CheckState:
    """What the record knows of a row's last check, and no more (issue 30).

    `checked`: an editor's check, or a seed row whose citation says where and
    what, stamped the row on `checked_on` against `citation` (None only for a
    stamp older than that rule, whose source is then not claimed).
    `not_checked_since_seed`: no check since the row came from the seed data.
    `never_checked`: an editors' row nobody has checked.
    """

    CHECKED = "checked"
    NOT_SINCE_SEED = "not_checked_since_seed"
    NEVER = "never_checked"

    __slots__ = ("checked_on", "citation", "state")

    def __init__(self, row) -> None:
        self.checked_on = row.last_verified_on
        if self.checked_on is not None:
            self.state = self.CHECKED
            self.citation = row.verified_against if row.verified_against_id else None
        else:
            seeded = row.provenance != Provenance.EDITORIAL
            self.state = self.NOT_SINCE_SEED if seeded else self.NEVER
            self.citation = None

    def __str__(self) -> str:
        if self.state == self.CHECKED:
            day = self.checked_on.strftime("%-d %b %Y")
            if self.citation is None:
                return f"checked on {day}; the source is not recorded"
            return f"checked on {day} against {self.citation.title}"
        if self.state == self.NOT_SINCE_SEED:
            return "not checked since the seed"
        return "never checked"

    @property
    def for_readers(self) -> str:
        """The same in a reader's words: the portal never speaks of "the seed", the
        editors' name for the record's first load."""
        if self.state == self.NOT_SINCE_SEED:
            return "not checked since it was first recorded"
        return str(self)


class Checked(models.Model):
    """A curated row that carries a check stamp (last_verified_on, verified_against)."""

    class Meta:
        abstract = True

    @property
    def check_state(self) -> CheckState:
        return CheckState(self)
