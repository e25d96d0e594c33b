"""Reads for the case pages: the queues, and each proposal as a before/after diff."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString

from apps.cases import diffs
from apps.cases.diffs import FieldRow
from apps.cases.models import Case, Evidence, ProposedChange, State
from apps.record import rows
from apps.record.models import AppliedChange
from apps.sources import highlight


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
            Prefetch("evidence", queryset=Evidence.objects.select_related("source_change")),
            Prefetch("transitions__actor"),
            Prefetch("comments__author"),
            Prefetch("changes", queryset=ProposedChange.objects.select_related("proposed_by")),
        )
        .get(pk=pk)
    )


@dataclass
class EvidenceView:
    item: Evidence
    diff: SafeString | None  # a watcher's change, words highlighted; None: show the text


def evidence_views(case: Case) -> list[EvidenceView]:
    """The case's evidence (prefetched by case_page); a detected change through the one
    highlighter the watcher's Change page uses."""
    return [
        EvidenceView(item, highlight.lines(item.source_change.diff) if item.source_change else None)
        for item in case.evidence.all()
    ]


@dataclass
class ChangeView:
    change: ProposedChange
    row: Any  # the live row, None for a new one
    fields: list[FieldRow]
    stale: bool
    live: dict[str, Any] = field(default_factory=dict)  # the live row's plain values
    # Set by the case page of an open case (apps.cases.conflicts):
    elsewhere: list[ProposedChange] = field(default_factory=list)  # other open cases' proposals
    three_way: Any = None  # conflicts.ThreeWay of a stale update


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
    renderer = diffs.Renderer()
    pending = []
    for change in changes:
        row = live.get(change.target, {}).get(change.row_id) if change.row_id else None
        before = rows.snapshot(change.target, row) if row is not None else {}
        try:
            proposed = rows.normalise(change.target, change.values, before or None)
        except ValidationError:
            proposed = dict(change.values)  # shown as stored; approval will refuse it
        after = {} if change.action == "retire" else {**before, **proposed}
        if change.action == "update":  # only what the proposal changes
            keys = {k for k in after if before.get(k) != after.get(k)}
            shown_before = {k: v for k, v in before.items() if k in keys}
            shown_after = {k: v for k, v in after.items() if k in keys}
        else:
            shown_before, shown_after = before, after
        renderer.want(change.target, shown_before, shown_after)
        stale = row is not None and row.version != change.base_version
        pending.append((change, row, shown_before, shown_after, stale, before))
    return [
        ChangeView(
            change,
            row,
            renderer.rows_for(change.target, old or None, new or None, row=row),
            stale,
            before,
        )
        for change, row, old, new, stale, before in pending
    ]


@dataclass
class AppliedView:
    applied: AppliedChange
    row: Any
    fields: list[FieldRow]


def applied_views(case: Case) -> list[AppliedView]:
    """What approving the case changed, as recorded then: never today's rows.

    The rows are read only for their names: one query per target kind (and
    one per kind of row the diffs name).
    """
    applied = list(case.applied.select_related("proposer", "approver").order_by("id"))
    names: dict[str, dict[int, Any]] = {}
    for target in {a.target for a in applied}:
        ids = {a.row_id for a in applied if a.target == target}
        model = rows.model_of(target)
        names[target] = model.objects.select_related(*rows.kind(target).named_by).in_bulk(ids)
    renderer = diffs.Renderer()
    for entry in applied:
        renderer.want(entry.target, entry.before, entry.after)
    return [
        AppliedView(
            entry,
            names[entry.target].get(entry.row_id),
            renderer.rows_for(
                entry.target, entry.before, entry.after, row=names[entry.target].get(entry.row_id)
            ),
        )
        for entry in applied
    ]
