"""The changes feed: every applied change, in commit order, in public terms.

AppliedChange ids are allocated under the audit trail's lock (apps.record.services),
so they increase in commit order: a client that asks for `after=<last id it
saw>` never misses a change and never sees one twice. Stored values name
related rows by database id; here they are turned into stable ids (codes,
slugs, keys) in one statement for the whole page.

A change to an amendment that carries effects on obligations (made with it, or
made law by its date of effect) also says in plain words what moved
(`sentences`, apps.reading.wording), in one more statement for the whole page.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import cache
from typing import Any

from django.db import connection, models

from apps.amendments.models import Amendment
from apps.api.serializers import canonical
from apps.core.models import Citation
from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction
from apps.obligations.models import Obligation
from apps.reading.obligation_lists import Moved, effects_told
from apps.record.models import AppliedChange
from apps.record.registry import REGISTRY

# Editorial bookkeeping readers have no use for.
PRIVATE_FIELDS = frozenset({"needs_review"})
VIEW_NAMES = {
    "jurisdiction": "api:jurisdiction-detail",
    "instrument": "api:instrument-detail",
    "obligation": "api:obligation-detail",
    "amendment": "api:amendment-detail",
}


def _ids_sql(model: type[models.Model], column: str) -> str:
    return f"SELECT %s, id, {column} FROM {model._meta.db_table} WHERE id = ANY(%s)"  # noqa: S608


# Each model a change can name -> the SQL giving its rows' stable ids, by id (the
# obligation's as serializers.obligation_id writes it: "<instrument slug>:<key>").
_STABLE_ID_SQL = {
    Jurisdiction: _ids_sql(Jurisdiction, "code"),
    Instrument: _ids_sql(Instrument, "slug"),
    Amendment: _ids_sql(Amendment, "key"),
    Citation: _ids_sql(Citation, "key"),
    Obligation: (
        f"SELECT %s, o.id, i.slug || ':' || o.key FROM {Obligation._meta.db_table} o"  # noqa: S608
        f" JOIN {Instrument._meta.db_table} i ON i.id = o.instrument_id WHERE o.id = ANY(%s)"
    ),
}


def _stable_ids(wanted: dict[type[models.Model], set[int]]) -> dict[type[models.Model], dict]:
    """Every named row's stable id, in one statement for the whole page (a query per
    model cost more to build than to run: bench/RESULTS.md, the feed)."""
    found: dict[type[models.Model], dict[int, str]] = {model: {} for model in wanted}
    asked = [(model, sorted(pks)) for model, pks in wanted.items() if pks]
    if not asked:
        return found
    for model, _ in asked:
        if model not in _STABLE_ID_SQL:
            raise LookupError(f"no stable id for {model.__name__}")
    names = {model._meta.label: model for model, _ in asked}
    sql = " UNION ALL ".join(_STABLE_ID_SQL[model] for model, _ in asked)
    params = [value for model, pks in asked for value in (model._meta.label, pks)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for label, pk, stable in cursor.fetchall():
            found[names[label]][pk] = stable
    return found


@cache
def _relations(model: type[models.Model]) -> dict[str, type[models.Model]]:
    """Field name -> the model its stored value points at (foreign keys and citations)."""
    out = {}
    for field in model._meta.concrete_fields:
        if field.is_relation:
            out[field.name] = field.related_model
    for field in model._meta.many_to_many:
        out[field.name] = field.related_model
    return out


class _Translator:
    """Collects every id a page of changes names, then resolves them together."""

    def __init__(self) -> None:
        self.wanted: dict[type[models.Model], set[int]] = defaultdict(set)
        self.found: dict[type[models.Model], dict[int, str]] = {}

    def _walk(self, target: str, values: dict[str, Any] | None, visit) -> dict[str, Any] | None:
        if values is None:
            return None
        curated = REGISTRY[target]
        relations = _relations(curated.model)
        children = {child.related: child for child in curated.children}
        out = {}
        for name, value in values.items():
            if name in PRIVATE_FIELDS:
                continue
            if name in children:
                child = children[name]
                child_relations = _relations(child.model)
                out[name] = [
                    {
                        k: visit(child_relations.get(k), v)
                        for k, v in item.items()
                        if k != child.parent
                    }
                    for item in value or []
                ]
            else:
                out[name] = visit(relations.get(name), value)
        return out

    def collect(self, change: AppliedChange) -> None:
        self.wanted[REGISTRY[change.target].model].add(change.row_id)

        def visit(model, value):
            if model is not None and value is not None:
                ids = value if isinstance(value, list) else [value]
                self.wanted[model].update(v for v in ids if isinstance(v, int))
            return value

        self._walk(change.target, change.before, visit)
        self._walk(change.target, change.after, visit)

    def resolve(self) -> None:
        self.found = _stable_ids(self.wanted)

    def name(self, model, value):
        if model is None or value is None:
            return value
        table = self.found.get(model, {})
        if isinstance(value, list):
            return [table.get(v, v) for v in value]
        return table.get(value, value)

    def public(self, target: str, values):
        return self._walk(target, values, self.name)


def _moved(change: AppliedChange) -> Moved | None:
    """What a change to an amendment moved: the effects it made or changed, or all its
    effects when it set or cleared the date of effect; None when it moved nothing (a
    retirement takes the effects out of the law with the amendment)."""
    if change.target != "amendment" or change.after is None:
        return None
    after = change.after
    dated = "effective_on" in after
    when = dt.date.fromisoformat(after["effective_on"]) if after.get("effective_on") else None
    if change.action == "update" and dated:
        return Moved(change.row_id, None, dated=True, effective_on=when)
    before = (change.before or {}).get("effects") or []
    made = frozenset(
        (e["obligation"], e["kind"]) for e in after.get("effects") or [] if e not in before
    )
    return Moved(change.row_id, made, dated, when) if made else None


_DONE = {"create": "added", "update": "updated", "retire": "retired"}


def _neutral(change: AppliedChange) -> str:
    """What a published case did, when its editors wrote nothing for readers."""
    what = change.target.replace("_", " ").capitalize()
    return f"{what} {_DONE.get(change.action, 'changed')} by the editors."


def items(changes: list[AppliedChange], request=None) -> list[dict[str, Any]]:
    """Feed items for `changes` (select_related("case") them): a fixed number of queries."""
    translator = _Translator()
    moved = {}
    for change in changes:
        translator.collect(change)
        if (found := _moved(change)) is not None:
            moved[change.pk] = found
    translator.resolve()
    said = effects_told(moved)
    out = []
    for change in changes:
        model = REGISTRY[change.target].model
        stable = translator.found[model].get(change.row_id)
        before = translator.public(change.target, change.before) or {}
        after = translator.public(change.target, change.after) or {}
        fields = sorted(set(before) | set(after))
        reason = change.reason
        if change.case is not None:
            # A case's title and description are the desk's own words (a reader's report
            # is titled with the reader's name): only text written for readers goes out.
            reason = change.case.public_reason or _neutral(change)
        out.append(
            {
                "id": change.pk,
                "entity": {
                    "kind": change.target,
                    "id": stable,
                    "url": canonical(VIEW_NAMES[change.target], stable, request),
                },
                "action": change.action,
                "version": change.version,
                "changes": {
                    name: {"before": before.get(name), "after": after.get(name)} for name in fields
                },
                "origin": change.origin,
                "reason": reason,
                "applied_at": change.applied_at.isoformat().replace("+00:00", "Z"),
                "sentences": said.get(change.pk, []),
            }
        )
    return out
