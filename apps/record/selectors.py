"""Reads of the audit trail."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.record.models import AppliedChange


def row_history(target: str, row_id: int) -> QuerySet[AppliedChange]:
    return AppliedChange.objects.filter(target=target, row_id=row_id).select_related(
        "case", "proposer", "approver"
    )
