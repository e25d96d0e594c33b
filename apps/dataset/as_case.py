"""`seed_load --as-case`: the seed's differences from a curated record, as one case to review.

A deployment whose editors already publish through cases must not have the seed
written over their work. This mode writes no curated row: it opens one case
whose proposals are what the seed files would change, and a reviewer's approval
applies them through the one write path (apps.record.services), like any case.

Steps:
1. Read every seed file with the loader's own rules (a file that does not read
   stops everything; nothing is opened).
2. Citations are not curated rows: one the record lacks is added, so proposals
   can cite it; one that differs is left as it is and listed in the case's note.
3. Each curated row of the seed becomes its values, as the loader reads them. A
   row the record lacks is proposed as new; a reference to a row the seed adds
   in the same case is kept as a reference (apps.record.references), so the
   approval creates the named row first. A row the record has is compared with
   its live snapshot (apps.record.rows), and only the keys that differ are
   proposed; children the seed does not list (an editor's event, a member
   added by a case) are kept, not deleted. A check stamp (`last_verified_on`)
   is never proposed: checks are recorded by the editor who makes them
   (apps.record.services.verify); a newer one in the seed is listed in the note.
4. Rows only the record has (editors' additions) are left alone. Proposals that
   would change a key an editor last changed are listed in the case's note, so
   the reviewer sees what approving them would undo.
Watched sources are left out: they are set up by editors in the admin.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.cases import services
from apps.cases.models import Case, Evidence, Kind
from apps.core.constraints import explain, validate_without_checks
from apps.core.models import Citation
from apps.dataset.loader import (
    Loader,
    SeedError,
    _describe,
    _lookup,
    _message,
    _parents_first,
    natural_name,
)
from apps.dataset.spec import CITATION, Spec
from apps.record import references, rows
from apps.record.models import Origin
from apps.record.registry import REGISTRY, Curated
from apps.record.selectors import row_history

# The seed files of curated rows, by the target name proposals use.
TARGETS = {
    "jurisdictions.Jurisdiction": "jurisdiction",
    "instruments.Instrument": "instrument",
    "obligations.Obligation": "obligation",
    "amendments.Amendment": "amendment",
}


@dataclass
class Plan:
    """One proposal to make: a new row (row is None) or the changed keys of a live row."""

    target: str
    label: str
    values: dict[str, Any]
    row: Any = None
    edited: list[str] = field(default_factory=list)  # keys an editor changed last


@dataclass
class Outcome:
    case: Case | None
    created: int = 0
    updated: int = 0
    citations_added: int = 0
    notes: list[str] = field(default_factory=list)


class CaseLoader(Loader):
    """Reads the seed like the loader, but names rows it would add instead of refusing them."""

    def __init__(self, folder: Path, progress: Callable[[str], None] = lambda _: None) -> None:
        super().__init__(folder, progress)
        self._seed_keys: dict[str, set[str]] = {}

    def _missing(self, ref: str, value: Any) -> Any:
        # Only a row the seed itself adds may be named before it exists; citations are
        # added before any row reads them, so a missing one is a typo and is refused.
        label, name = ref.split(":")
        if label != "core.Citation" and natural_name(value) in self._seed_keys.get(ref, set()):
            # An obligation an effect names is already a mapping of its natural key.
            return value if isinstance(value, dict) else {name: value}
        return super()._missing(ref, value)

    # -- the plan ---------------------------------------------------------------
    def propose(self, *, opened_by=None) -> Outcome:
        documents = self.read()
        # Rows a proposal may name before they exist: those the seed itself adds.
        self._seed_keys = {
            f"{model}:{lookup}": _keys(documents, model, *names)
            for model, lookup, names in (
                ("jurisdictions.Jurisdiction", "code", ("code",)),
                ("instruments.Instrument", "slug", ("slug",)),
                ("obligations.Obligation", "instrument__slug,key", ("instrument", "key")),
            )
        }
        outcome = Outcome(case=None)
        with transaction.atomic():
            plans: list[Plan] = []
            for name, spec, data in documents:
                self.progress(f"{name}: {len(data)} rows")
                if spec is CITATION:
                    self._add_citations(name, data, outcome)
                elif spec.model == "jurisdictions.Membership":
                    # Memberships are written as their group's children (as the loader does).
                    plans = self._with_members(plans, self._memberships(name, spec, data))
                elif spec.model in TARGETS:
                    if spec.model == "jurisdictions.Jurisdiction":
                        data = _parents_first(data)
                    plans.extend(self._plans(name, spec, data))
            if self.errors:
                raise SeedError(self.errors)
            plans = [p for p in (self._changes(p, outcome) for p in plans) if p is not None]
            if plans:
                outcome.case = self._open(plans, opened_by, outcome)
        return outcome

    def _add_citations(self, name: str, data: list[dict[str, Any]], outcome: Outcome) -> None:
        for number, row in enumerate(data, start=1):
            try:
                values = self._values(CITATION, row, parent_provenance=None)
                live = Citation.objects.filter(key=values["key"]).first()
                if live is not None:
                    differ = [
                        k for k, v in values.items() if str(rows.plain(getattr(live, k))) != str(v)
                    ]
                    if differ:
                        outcome.notes.append(
                            f"citation {live.key}: the seed's {', '.join(differ)} differ from "
                            "the record's; citations are not curated rows, so it is left as it is"
                        )
                    continue
                citation = Citation(**values)
                validate_without_checks(citation)
                with transaction.atomic():
                    citation.save()
                outcome.citations_added += 1
            except ValidationError as exc:
                self.errors.append(f"{name} row {number} ({row.get('key')}): {_message(exc)}")
            except IntegrityError as exc:
                self.errors.append(f"{name} row {number}: {explain(exc, [Citation])}")

    def _plans(self, name: str, spec: Spec, data: list[dict[str, Any]]) -> list[Plan]:
        target = TARGETS[spec.model]
        curated = REGISTRY[target]
        plans = []
        for number, row in enumerate(data, start=1):
            label = f"{name} row {number} ({_describe(spec, row)})"
            try:
                values = self._values(spec, row, parent_provenance=None)
            except ValidationError as exc:
                self.errors.append(f"{label}: {_message(exc)}")
                continue
            natural = {_lookup(k): values.get(k) for k in spec.key}
            live = None
            if not any(references.is_reference(v) for v in natural.values()):
                live = curated.model.objects.filter(**natural).first()
            plans.append(Plan(target, _describe(spec, row), values, live))
        return plans

    def _memberships(self, name: str, spec: Spec, data: list[dict[str, Any]]) -> dict:
        """Memberships by group (an id, or the code of a group the seed adds)."""
        groups: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        for number, row in enumerate(data, start=1):
            try:
                values = self._values(spec, row, parent_provenance=None)
            except ValidationError as exc:
                self.errors.append(f"{name} row {number} ({_describe(spec, row)}): {_message(exc)}")
                continue
            group = values.pop("group")
            groups[group["code"] if references.is_reference(group) else group].append(values)
        return groups

    def _with_members(self, plans: list[Plan], members: dict) -> list[Plan]:
        """Members join their group's proposal; a group the seed does not change gets one."""
        by_group = {}
        for plan in plans:
            key = plan.row.pk if plan.row is not None else plan.values["code"]
            by_group[key] = plan
        for group, items in members.items():
            plan = by_group.get(group)
            if plan is None:
                row = REGISTRY["jurisdiction"].model.objects.get(pk=group)
                plan = Plan("jurisdiction", row.code, {}, row)
                plans.append(plan)
            plan.values["memberships"] = items
        return plans

    # -- what differs ---------------------------------------------------------------
    def _changes(self, plan: Plan, outcome: Outcome) -> Plan | None:
        """The plan with only what would change, or None when the record already agrees."""
        curated = REGISTRY[plan.target]
        plan.values = self._without_pending_children(plan, curated, outcome)
        self._without_stamps(plan, curated, outcome)
        if plan.row is None:
            return plan
        live = rows.snapshot(plan.target, rows.fetch(plan.target, plan.row.pk))
        merged = dict(plan.values)
        for child in curated.children:
            if child.related in merged:
                merged[child.related] = _keep_unlisted(child, merged[child.related], live)
        try:
            wanted = rows.normalise(plan.target, merged, live)
        except ValidationError as exc:
            self.errors.append(f"{plan.target} {plan.label}: {_message(exc)}")
            return None
        changed = {k: v for k, v in wanted.items() if live.get(k) != v}
        if not changed:
            return None
        plan.values = changed
        plan.edited = _edited_by_editors(plan.target, plan.row.pk, changed)
        return plan

    def _without_stamps(self, plan: Plan, curated: Curated, outcome: Outcome) -> None:
        """A check stamp is recorded by the editor who checks, never proposed in a case."""
        day = None
        for name in curated.stamped:
            day = plan.values.pop(name, None) if name == "last_verified_on" else day
            plan.values.pop(name, None)
        if day is None:
            return
        seen = rows.plain(plan.row.last_verified_on) if plan.row is not None else None
        if seen is None or seen < day:
            outcome.notes.append(
                f"{plan.target} {plan.label}: the seed records a check on {day}; checks are "
                "not proposed, so record it with Record a check once the row is published"
            )

    def _without_pending_children(
        self, plan: Plan, curated: Curated, outcome: Outcome
    ) -> dict[str, Any]:
        """Children naming a row this case adds cannot be checked yet: left for later."""
        values = dict(plan.values)
        for child in curated.children:
            kept = []
            for item in values.get(child.related, []):
                pending = [str(v) for v in item.values() if references.is_reference(v)]
                if pending:
                    outcome.notes.append(
                        f"{plan.target} {plan.label}: {child.related} item naming "
                        f"{', '.join(pending)} not proposed; that row is proposed in this case, "
                        "so propose the item once the case is published"
                    )
                else:
                    kept.append(item)
            if child.related in values:
                values[child.related] = kept
        return values

    # -- the case ---------------------------------------------------------------
    def _open(self, plans: list[Plan], opened_by, outcome: Outcome) -> Case:
        created = sum(p.row is None for p in plans)
        outcome.created, outcome.updated = created, len(plans) - created
        case = services.case_open(
            title=f"Seed update: {created} new and {outcome.updated} changed row(s) from data/seed",
            kind=Kind.CORRECTION,
            created_by=opened_by,
            description=(
                "Opened by `seed_load --as-case`: the differences between the seed files and "
                "the live record, as proposals. Nothing has been written to the record; "
                "approving the case applies them. Rows only the record has are left alone, "
                "and children the seed does not list are kept."
            ),
        )
        order = list(REGISTRY)
        for plan in sorted(plans, key=lambda p: order.index(p.target)):
            try:
                services.change_propose_by_watcher(
                    case=case, target=plan.target, values=plan.values, row=plan.row
                )
            except ValidationError as exc:
                self.errors.append(f"{plan.target} {plan.label}: {_message(exc)}")
        if self.errors:
            raise SeedError(self.errors)
        edited = [
            f"{p.target} {p.label}: {', '.join(p.edited)}" for p in plans if p.row and p.edited
        ]
        if edited:
            outcome.notes.insert(
                0,
                "These proposals would change keys whose last change was an editor's "
                "(a case or a direct edit), not a seed load; withdraw those you keep:\n"
                + "\n".join(f"  - {line}" for line in edited),
            )
        if outcome.notes:
            Evidence.objects.create(
                case=case,
                kind=Evidence.EvidenceKind.NOTE,
                title="Seed compared with the record",
                text="\n".join(f"* {line}" for line in outcome.notes)[:200_000],
            )
        return case


def propose_seed_case(folder: Path, *, opened_by=None, progress=lambda _: None) -> Outcome:
    return CaseLoader(folder, progress).propose(opened_by=opened_by)


def _keys(documents, model: str, *names: str) -> set[str]:
    return {
        natural_name({name: row.get(name) for name in names})
        for _, spec, data in documents
        if spec.model == model
        for row in data
    }


def _keep_unlisted(child, items: list[dict[str, Any]], live: dict[str, Any]) -> list[dict]:
    """The seed's children plus the live ones it does not list, which stay."""
    listed = {rows.child_key(child, item) for item in items}
    live_items = live.get(child.related, [])
    return [*items, *(item for item in live_items if rows.child_key(child, item) not in listed)]


def _edited_by_editors(target: str, row_id: int, changed: dict[str, Any]) -> list[str]:
    """The changed keys whose latest recorded change came from a case or a direct edit."""
    last: dict[str, str] = {}
    for origin, after in row_history(target, row_id).order_by("-id").values_list("origin", "after"):
        for key in after or {}:
            last.setdefault(key, origin)
    return sorted(k for k in changed if last.get(k) not in (None, Origin.SEED))
