"""Reads of the audit trail."""

from __future__ import annotations

from django.db.models import Max, QuerySet

from apps.record.models import AppliedChange


def row_history(target: str, row_id: int) -> QuerySet[AppliedChange]:
    return AppliedChange.objects.filter(target=target, row_id=row_id).select_related(
        "case", "proposer", "approver"
    )


def record_version() -> int:
    """The newest change of the record (0 for an empty one): one index lookup. Ids grow
    in commit order, so a larger one always means a newer record."""
    return AppliedChange.objects.aggregate(latest=Max("pk"))["latest"] or 0
