"""Dates that may be known only to the year or the month.

A source may say "2019" or "2025-02" and nothing more. Such a date is stored
as two columns: a DateField holding the first day of the period and a
precision. The database checks that the two agree (a year-precision date
falls on 1 January), and comparisons use the first day of the period.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Cast, ExtractDay, ExtractMonth
from django.db.models.lookups import Exact

_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class Precision(models.TextChoices):
    DAY = "day", "day"
    MONTH = "month", "month"
    YEAR = "year", "year"


@dataclass(frozen=True)
class PartialDate:
    start: dt.date
    precision: str

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        match = _PATTERN.match(str(text).strip())
        if not match:
            raise ValidationError(f"{text!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD")
        year, month, day = match.groups()
        try:
            start = dt.date(int(year), int(month or 1), int(day or 1))
        except ValueError:
            raise ValidationError(f"{text} is not a real date") from None
        precision = Precision.DAY if day else Precision.MONTH if month else Precision.YEAR
        return cls(start=start, precision=str(precision))

    def __str__(self) -> str:
        if self.precision == Precision.YEAR:
            return f"{self.start:%Y}"
        if self.precision == Precision.MONTH:
            return f"{self.start:%Y-%m}"
        return self.start.isoformat()


def format_partial(value: dt.date | None, precision: str) -> str:
    return "" if value is None else str(PartialDate(value, precision))


def partial_date_constraints(field: str, prefix: str) -> list[models.CheckConstraint]:
    """Constraints keeping `field` and `field_precision` consistent."""
    precision = f"{field}_precision"
    return [
        models.CheckConstraint(
            condition=models.Q(**{f"{precision}__in": [*Precision.values, ""]}),
            name=f"{prefix}_{field}_precision_valid",
            violation_error_message=f"{field}: unknown date precision.",
        ),
        models.CheckConstraint(
            condition=(
                models.Q(**{f"{field}__isnull": True, precision: ""})
                | models.Q(**{f"{field}__isnull": False, f"{precision}__in": Precision.values})
            ),
            name=f"{prefix}_{field}_precision_present",
            violation_error_message=f"{field}: a date needs a precision, and only a date has one.",
        ),
        models.CheckConstraint(
            condition=~models.Q(**{precision: Precision.MONTH}) | _part(ExtractDay, field),
            name=f"{prefix}_{field}_month_starts",
            violation_error_message=f"{field}: a month-precision date falls on the 1st.",
        ),
        models.CheckConstraint(
            condition=~models.Q(**{precision: Precision.YEAR})
            | (_part(ExtractDay, field) & _part(ExtractMonth, field)),
            name=f"{prefix}_{field}_year_starts",
            violation_error_message=f"{field}: a year-precision date falls on 1 January.",
        ),
    ]


def _part(extract: type[ExtractDay] | type[ExtractMonth], field: str) -> models.Q:
    # The explicit cast lets Django validate the constraint in Python too: it
    # substitutes a bare literal for the column, which PostgreSQL cannot type.
    return models.Q(Exact(extract(Cast(field, models.DateField())), 1))


def precision_field() -> models.CharField:
    return models.CharField(
        max_length=5,
        choices=Precision.choices,
        blank=True,
        default="",
        help_text="How much of the date the source states: day, month or year.",
    )
