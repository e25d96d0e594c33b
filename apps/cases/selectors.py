"""Reads for the case pages: the queues, and each proposal as a before/after diff."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from apps.cases import rows
from apps.cases.models import AppliedChange, Case, ProposedChange, State


def queue(name: str, user) -> QuerySet[Case]:
    cases = Case.objects.select_related("assignee", "instrument")
    if name == "mine":
        return cases.open().filter(assignee=user)
    if name == "unassigned":
        return cases.open().filter(assignee__isnull=True)
    if name == "review":
        return cases.filter(state=State.IN_REVIEW)
    if name == "overdue":
        return cases.overdue(timezone.localdate())
    return cases


def case_page(pk: int) -> Case:
    return (
        Case.objects.select_related("assignee", "created_by", "instrument", "follows_up")
        .prefetch_related(
            "evidence",
            Prefetch("transitions__actor"),
            Prefetch("comments__author"),
            Prefetch("changes", queryset=ProposedChange.objects.select_related("proposed_by")),
        )
        .get(pk=pk)
    )


@dataclass
class FieldDiff:
    name: str
    before: Any
    after: Any

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass
class ChangeView:
    change: ProposedChange
    row: Any  # the live row, None for a new one
    fields: list[FieldDiff]
    stale: bool


def change_views(changes: list[ProposedChange]) -> list[ChangeView]:
    """Each proposal beside the live row: one query per target kind, whatever the count."""
    live: dict[str, dict[int, Any]] = {}
    for target in {c.target for c in changes if c.row_id}:
        ids = [c.row_id for c in changes if c.target == target and c.row_id]
        model = rows.MODELS[target]
        related = ["citations", *rows.CHILDREN.get(target, {})]
        live[target] = model.objects.prefetch_related(*related).in_bulk(ids)
    views = []
    for change in changes:
        row = live.get(change.target, {}).get(change.row_id) if change.row_id else None
        before = rows.snapshot(change.target, row) if row is not None else {}
        after = {} if change.action == "retire" else {**before, **change.values}
        names = list(dict.fromkeys([*before, *after]))
        fields = [FieldDiff(n, before.get(n), after.get(n)) for n in names]
        if change.action == "update":
            fields = [f for f in fields if f.changed]
        stale = row is not None and row.version != change.base_version
        views.append(ChangeView(change, row, fields, stale))
    return views


def row_history(target: str, row_id: int) -> QuerySet[AppliedChange]:
    return AppliedChange.objects.filter(target=target, row_id=row_id).select_related(
        "case", "proposer", "approver"
    )
