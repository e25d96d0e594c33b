"""Where editors' work meets: other open cases on the same row, and what moved a row on.

Reads only. A stale proposal is judged against three versions of its row:
the values when it was proposed (rebuilt from the audit trail: each change
since then records the `before` of the keys it changed), the live row, and
the proposal. The editor chooses per field whether their value or the live
one stands (services.change_rebase's `take_live`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.safestring import SafeString

from apps.cases import diffs
from apps.cases.models import OPEN_STATES, ProposedChange
from apps.record import rows
from apps.record.models import AppliedChange, Origin


def open_elsewhere(changes: list[ProposedChange]) -> dict[int, list[ProposedChange]]:
    """For each proposal, the proposals other open cases hold for the same row (one query)."""
    targeted = [c for c in changes if c.row_id is not None]
    if not targeted:
        return {}
    same_row = Q()
    for change in targeted:
        same_row |= Q(target=change.target, row_id=change.row_id)
    others = (
        ProposedChange.objects.filter(same_row, case__state__in=OPEN_STATES)
        .exclude(case_id__in={c.case_id for c in targeted})
        .select_related("case", "case__created_by", "case__assignee", "proposed_by")
        .order_by("case_id", "id")
    )
    by_row: dict[tuple[str, int], list[ProposedChange]] = defaultdict(list)
    for other in others:
        by_row[(other.target, other.row_id)].append(other)
    return {c.pk: by_row[(c.target, c.row_id)] for c in targeted if by_row[(c.target, c.row_id)]}


def author(change: ProposedChange) -> str:
    """Who to talk to about another case's proposal: its proposer, else the case's owner."""
    person = change.proposed_by or change.case.assignee or change.case.created_by
    return str(person) if person else "the watcher"


def changed_since(changes: list[ProposedChange]) -> dict[int, list[AppliedChange]]:
    """For each proposal, the recorded changes of its row after its base version (one query)."""
    targeted = [c for c in changes if c.row_id is not None and c.base_version is not None]
    if not targeted:
        return {}
    later = Q()
    for change in targeted:
        later |= Q(target=change.target, row_id=change.row_id, version__gt=change.base_version)
    entries = list(
        AppliedChange.objects.filter(later)
        .select_related("case", "proposer", "approver")
        .order_by("id")
    )
    return {
        c.pk: [
            e
            for e in entries
            if (e.target, e.row_id) == (c.target, c.row_id) and e.version > c.base_version
        ]
        for c in targeted
    }


def describe(entries: list[AppliedChange]) -> str:
    """Who moved the row on, in words: "case #4 “…” (proposed by ana, approved by ben)"."""
    seen, parts = set(), []
    for entry in entries:
        if entry.origin == Origin.CASE and entry.case is not None:
            if entry.case_id in seen:
                continue
            seen.add(entry.case_id)
            people = [
                f"proposed by {entry.proposer}" if entry.proposer else "",
                f"approved by {entry.approver}" if entry.approver else "",
            ]
            who = ", ".join(p for p in people if p)
            name = f"case #{entry.case_id} “{entry.case.title}”"
            parts.append(f"{name} ({who})" if who else name)
        elif entry.origin == Origin.DIRECT:
            parts.append(f"a direct edit by {entry.approver or 'an administrator'}")
        else:
            parts.append(entry.reason or entry.get_origin_display())
    return "; ".join(dict.fromkeys(parts))


def stale_note(change: ProposedChange) -> str:
    """What the stale message adds about one proposal: who changed its row since."""
    entries = changed_since([change]).get(change.pk, [])
    return f" — changed since by {describe(entries)}" if entries else ""


def rebase_note(change: ProposedChange, row: Any, old_version: int, take_live) -> str:
    """The timeline's words for a rebase: the row, the versions, and each field's choice."""
    model = rows.model_of(change.target)
    kept = [diffs.Renderer.label(model, k) for k in change.values]
    taken = [diffs.Renderer.label(model, k) for k in take_live]
    parts = [
        f"rebased the proposal for {rows.label(change.target, row)} from version "
        f"{old_version} on version {row.version}",
        f"kept mine: {', '.join(kept)}" if kept else "",
        f"took live: {', '.join(taken)}" if taken else "",
    ]
    return "; ".join(p for p in parts if p)


def values_when_proposed(
    change: ProposedChange, live: dict[str, Any], entries: list[AppliedChange]
) -> dict[str, Any]:
    """The row's values at the proposal's base version: the live values with each later
    change's `before` put back, newest first."""
    base = dict(live)
    for entry in sorted(entries, key=lambda e: e.id, reverse=True):
        base.update(entry.before or {})
    return base


@dataclass(frozen=True)
class ThreeWayRow:
    key: str
    label: str
    base: SafeString  # when proposed
    live: SafeString  # live now, words changed since marked
    mine: SafeString  # proposed, words the proposal changes marked
    moved: bool  # someone changed this field since the proposal was made
    differs: bool  # the proposal and the live row disagree: a choice to make


@dataclass
class ThreeWay:
    change: ProposedChange
    rows: list[ThreeWayRow]
    since: str  # who moved the row on

    @property
    def choices(self) -> list[ThreeWayRow]:
        return [r for r in self.rows if r.moved and r.differs]


def three_way(views: list[Any]) -> dict[int, ThreeWay]:
    """The three-way view of each stale proposal among `views` (selectors.ChangeView).

    A stale retirement gets one too, with no rows: it has no fields to choose,
    only who moved its row on.
    """
    stale = [v for v in views if v.stale]
    history = changed_since([v.change for v in stale])
    out = {
        v.change.pk: ThreeWay(v.change, [], describe(history.get(v.change.pk, [])))
        for v in stale
        if v.change.action != "update"
    }
    renderer = diffs.Renderer()
    prepared = []
    for view in (v for v in stale if v.change.action == "update"):
        change, live = view.change, view.live
        entries = history.get(change.pk, [])
        base = values_when_proposed(change, live, entries)
        try:
            mine = {**base, **rows.normalise(change.target, change.values, base)}
        except ValidationError:  # shown as stored; the rebase re-validates it
            mine = {**base, **change.values}
        keys = [k for k in change.values if k in mine]
        pick = [{k: d.get(k) for k in keys} for d in (base, live, mine)]
        renderer.want(change.target, *pick)
        prepared.append((change, view.row, entries, keys, *pick))
    for change, row, entries, keys, base, live, mine in prepared:
        table = []
        model = rows.model_of(change.target)
        for key in renderer.order(change.target, set(keys)):
            then = renderer.display(change.target, key, base, row=row)
            now = renderer.display(change.target, key, live, row=row)
            base_html, live_html = diffs.cells(then, now)
            _, mine_html = diffs.cells(then, renderer.display(change.target, key, mine, row=row))
            table.append(
                ThreeWayRow(
                    key,
                    renderer.label(model, key),
                    base_html,
                    live_html,
                    mine_html,
                    moved=base.get(key) != live.get(key),
                    differs=mine.get(key) != live.get(key),
                )
            )
        out[change.pk] = ThreeWay(change, table, describe(entries))
    return out
