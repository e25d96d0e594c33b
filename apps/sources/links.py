"""The way from a source to its changes and the cases they opened, and back.

The watcher knows nothing of cases (apps.sources.signals): these links follow the
relations the cases app declares (Case.source, Evidence.source_change) from this
side, so the sources app still imports nothing of it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse

from apps.sources.models import Change, Source

# The source page lists the latest changes; the changes list has them all.
SHOWN = 20


def _case_model():
    return Source.cases.field.model


def _evidence_model():
    return Change.evidence.field.model


def case_url(case) -> str:
    return reverse("admin:cases_case_change", args=[case.pk])


def evidence_with_cases() -> QuerySet:
    """A change's evidence with its case, to prefetch as `evidence`."""
    return _evidence_model().objects.select_related("case").order_by("case_id")


def of_source(source: Source) -> dict[str, Any]:
    """The source page's context: its latest changes with their cases, and all its cases."""
    evidence = evidence_with_cases()
    changes = list(
        source.changes.only("id", "source_id", "detected_at", "significance", "reasons")
        .prefetch_related(Prefetch("evidence", queryset=evidence))
        .order_by("-detected_at", "-id")[:SHOWN]
    )
    cases = (
        _case_model()
        .objects.filter(Q(source=source) | Q(evidence__source_change__source=source))
        .distinct()
        .order_by("-created_at", "-pk")
    )
    return {
        "changes": [
            {
                "change": change,
                "url": reverse("admin:sources_change_change", args=[change.pk]),
                "cases": [(e.case, case_url(e.case)) for e in change.evidence.all()],
            }
            for change in changes
        ],
        "total": source.changes.count(),
        "all_url": reverse("admin:sources_change_changelist") + f"?source__id__exact={source.pk}",
        "cases": [(case, case_url(case)) for case in cases],
    }
