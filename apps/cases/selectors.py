"""Reads for the case pages: the queues, and each proposal as a before/after diff."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
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


def change_views(changes: list[ProposedChange], *, live_rows: bool = True) -> list[ChangeView]:
    """Each proposal beside the live row: a few queries per target kind, whatever the count.

    A closed case's proposals are shown as stored (`live_rows=False`): today's
    row says nothing about what was proposed then.
    """
    live: dict[str, dict[int, Any]] = {}
    for target in {c.target for c in changes if c.row_id and live_rows}:
        ids = [c.row_id for c in changes if c.target == target and c.row_id]
        model = rows.model_of(target)
        live[target] = model.objects.prefetch_related(*rows.prefetch(target)).in_bulk(ids)
    views = []
    for change in changes:
        row = live.get(change.target, {}).get(change.row_id) if change.row_id else None
        before = rows.snapshot(change.target, row) if row is not None else {}
        try:
            proposed = rows.normalise(change.target, change.values, before or None)
        except ValidationError:
            proposed = dict(change.values)  # shown as stored; approval will refuse it
        after = {} if change.action == "retire" else {**before, **proposed}
        names = list(dict.fromkeys([*before, *after]))
        fields = [FieldDiff(n, before.get(n), after.get(n)) for n in names]
        if change.action == "update":
            fields = [f for f in fields if f.changed]
        stale = row is not None and row.version != change.base_version
        views.append(ChangeView(change, row, fields, stale))
    return views


@dataclass
class AppliedView:
    applied: AppliedChange
    row: Any
    fields: list[FieldDiff]


def applied_views(case: Case) -> list[AppliedView]:
    """What approving the case changed, as recorded then: never today's rows.

    The rows are read only for their names: one query per target kind.
    """
    applied = list(case.applied.select_related("proposer", "approver").order_by("id"))
    names: dict[str, dict[int, Any]] = {}
    for target in {a.target for a in applied}:
        ids = {a.row_id for a in applied if a.target == target}
        model = rows.model_of(target)
        names[target] = model.objects.select_related(*rows.kind(target).named_by).in_bulk(ids)
    views = []
    for entry in applied:
        before, after = entry.before or {}, entry.after or {}
        keys = list(dict.fromkeys([*before, *after]))
        fields = [FieldDiff(k, before.get(k), after.get(k)) for k in keys]
        views.append(AppliedView(entry, names[entry.target].get(entry.row_id), fields))
    return views


def row_history(target: str, row_id: int) -> QuerySet[AppliedChange]:
    return AppliedChange.objects.filter(target=target, row_id=row_id).select_related(
        "case", "proposer", "approver"
    )
