"""Where the record's applicability conditions may be missing, for the editors' desk.

An obligation without conditions is a gap worth a look when thresholds are known
to matter for it: its instrument already sets conditions on another of its
obligations (a law with a revenue threshold on one duty often has it on others),
or its requirement speaks of a threshold ("turnover", "FLOP", "employees",
"users", "small and medium" ...). The list is a prompt for editors, not a
verdict: a requirement may name turnover as a fine's measure, and an editor then
leaves it as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from apps.obligations.models import Condition, Obligation

# Words of a requirement that suggest a threshold, as regular-expression alternatives
# matched as whole words (PostgreSQL's \y, Python's \b), whatever their case.
THRESHOLD_WORDS = (
    "revenues?",
    "turnover",
    "flops?",
    "floating[- ]point",
    "employees",
    "users",
    "small and medium",
    "smes?",
    "start-ups?",
    "thresholds?",
)
_IN_DATABASE = r"\y(" + "|".join(THRESHOLD_WORDS) + r")\y"
_IN_PYTHON = re.compile(r"\b(" + "|".join(THRESHOLD_WORDS) + r")\b", re.IGNORECASE)


@dataclass(frozen=True)
class Gap:
    obligation: Obligation
    conditioned_siblings: int  # obligations of its instrument that have conditions
    words: tuple[str, ...]  # threshold words its requirement uses, as written

    @property
    def reasons(self) -> list[str]:
        found = []
        n = self.conditioned_siblings
        if n == 1:
            found.append("another obligation of its instrument has conditions")
        elif n > 1:
            found.append(f"{n} other obligations of its instrument have conditions")
        if self.words:
            found.append(f"its requirement mentions {', '.join(self.words)}")
        return found


def gaps() -> list[Gap]:
    """Published obligations without conditions where thresholds matter, in one query."""
    conditioned = (
        Obligation.objects.published()
        .filter(instrument=OuterRef("instrument"))
        .filter(Exists(Condition.objects.filter(obligation=OuterRef("pk"))))
        .order_by()
        .values("instrument")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        Obligation.objects.published()
        .filter(instrument__retired_at__isnull=True)
        .exclude(Exists(Condition.objects.filter(obligation=OuterRef("pk"))))
        .annotate(
            siblings=Coalesce(Subquery(conditioned, output_field=IntegerField()), 0),
        )
        .filter(Q(siblings__gt=0) | Q(requirement__iregex=_IN_DATABASE))
        .select_related("instrument__jurisdiction")
        .order_by("instrument__jurisdiction__name", "instrument__title", "provision", "key")
    )
    return [
        Gap(
            obligation=row,
            conditioned_siblings=row.siblings,
            words=tuple(dict.fromkeys(m.group(0) for m in _IN_PYTHON.finditer(row.requirement))),
        )
        for row in rows
    ]
