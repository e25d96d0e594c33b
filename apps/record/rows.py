"""Curated rows as plain values: what a proposal holds and what the audit trail records.

A row's values are its editable concrete fields in JSON form (dates as ISO
strings, decimals as strings, foreign keys as ids), its derived caches (an
instrument's status), its citations as a sorted list of ids, and its owned
children (see apps.record.registry) as lists of plain values sorted by their
natural key, each with its own citations when it has them.

A proposal may hold only some of a row's keys, and a child item only some of
a child's fields: `normalise` completes them from the row as it is, so what
the editor did not touch keeps its value (a child is matched by natural key).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from apps.record import references
from apps.record.registry import REGISTRY, Child, Curated


def kind(target: str) -> Curated:
    return REGISTRY[target]


def model_of(target: str) -> type[models.Model]:
    return REGISTRY[target].model


def fields_of(target: str) -> tuple[models.Field, ...]:
    return REGISTRY[target].fields


def plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, models.Model):
        return value.pk
    return value


def prefetch(target: str) -> list[Any]:
    """The lookups `snapshot` reads, for prefetch_related."""
    lookups: list[Any] = ["citations"]
    for child in REGISTRY[target].children:
        queryset = child.model.objects.all()
        if child.cited:
            queryset = queryset.prefetch_related("citations")
        lookups.append(models.Prefetch(child.related, queryset=queryset))
    return lookups


def fetch(target: str, pk: int, *, lock: bool = False) -> models.Model:
    rows = model_of(target).objects.prefetch_related(*prefetch(target))
    if lock:
        rows = rows.select_for_update(of=("self",))
    return rows.get(pk=pk)


def snapshot(target: str, obj: models.Model) -> dict[str, Any]:
    """The row's current values (uses prefetched citations and children when present)."""
    curated = REGISTRY[target]
    values = {f.name: plain(getattr(obj, f.attname)) for f in curated.fields}
    for name in curated.derived:
        values[name] = plain(getattr(obj, name))
    for f in curated.stamp_fields:
        values[f.name] = plain(getattr(obj, f.attname))
    values["citations"] = sorted(c.pk for c in obj.citations.all())
    for child in curated.children:
        values[child.related] = _sorted(
            child, [child_snapshot(child, c) for c in getattr(obj, child.related).all()]
        )
    return values


def child_snapshot(child: Child, obj: models.Model) -> dict[str, Any]:
    values = {f.name: plain(getattr(obj, f.attname)) for f in child.fields}
    if child.cited:
        values["citations"] = sorted(c.pk for c in obj.citations.all())
    return values


def child_key(child: Child, values: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(values.get(name)) for name in child.key)


def _sorted(child: Child, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda item: (child_key(child, item), repr(sorted(item.items()))))


def normalise(
    target: str, values: dict[str, Any], before: dict[str, Any] | None, *, stamps: bool = False
) -> dict[str, Any]:
    """`values` in the plain form `snapshot` gives, children completed from `before`.

    Raises ValidationError naming the keys that cannot be read. Keys that are
    not part of the row are refused, so a typo never passes as "no change".
    Check stamps are read only when `stamps` (an editor's check, the seed).
    """
    curated = REGISTRY[target]
    by_name = {f.name: f for f in curated.fields}
    stamp_fields = {f.name: f for f in curated.stamp_fields}
    children = {c.related: c for c in curated.children}
    out: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, raw in values.items():
        try:
            if name in by_name:
                out[name] = _field_value(by_name[name], raw)
            elif name == "citations":
                out[name] = sorted({int(i) for i in raw or []})
            elif name in children:
                old = (before or {}).get(name, [])
                out[name] = _children(children[name], raw or [], old)
            elif name in stamp_fields and stamps:
                out[name] = _field_value(stamp_fields[name], raw)
            elif name in stamp_fields:
                # A form may post the row as shown; a check is recorded, never proposed.
                if before is None or before.get(name) != _field_value(stamp_fields[name], raw):
                    errors[name] = ["set by recording a check of the row, not proposed"]
            elif name in curated.derived:
                # A form may post the row as shown; a derived value is never proposed.
                if before is None or before.get(name) != raw:
                    errors[name] = ["derived from the record: propose the event or amendment"]
            else:
                errors[name] = ["not a field of this row"]
        except ValidationError as exc:
            errors[name] = exc.messages
        except (TypeError, ValueError) as exc:
            errors[name] = [str(exc)]
    if errors:
        raise ValidationError(errors)
    return out


def _field_value(field: models.Field, raw: Any) -> Any:
    if field.is_relation and references.is_reference(raw):
        row = references.find(field.related_model, raw)
        if row is None:
            raise ValidationError(f"{references.name(raw)} is not in the record")
        return row.pk
    if field.is_relation:
        return None if raw in (None, "") else int(plain(raw))
    if raw is None:
        return "" if isinstance(field, models.CharField | models.TextField) else None
    return plain(field.to_python(raw))


def _children(child: Child, items: list[Any], old: list[dict[str, Any]]) -> list[dict[str, Any]]:
    existing = {child_key(child, item): item for item in old}
    defaults = _defaults(child)
    out, seen = [], set()
    for item in items:
        if not isinstance(item, dict):
            raise ValidationError(f"each item must be a mapping, not {item!r}")
        given = {}
        for name, raw in item.items():
            if name == "citations" and child.cited:
                given[name] = sorted({int(i) for i in raw or []})
            elif name in {f.name for f in child.fields}:
                given[name] = _field_value(child.model._meta.get_field(name), raw)
            else:
                raise ValidationError(f"{name!r} is not a field of {child.related}")
        key = child_key(child, given)
        if key in seen:
            raise ValidationError(f"{' '.join(key)} is listed twice")
        seen.add(key)
        base = existing.get(key) or defaults
        out.append({**base, **given})
    return _sorted(child, out)


def _defaults(child: Child) -> dict[str, Any]:
    values = {f.name: plain(f.get_default()) for f in child.fields}
    if child.cited:
        values["citations"] = []
    return values


def build(
    target: str,
    values: dict[str, Any],
    base: models.Model | None,
    *,
    pending: Callable[[type[models.Model], dict[str, Any]], bool] | None = None,
) -> models.Model:
    """An unsaved instance carrying `values` on top of `base`, validated by the model's rules.

    For proposals: raises ValidationError with the model's own messages
    (constraints included). Children and citations are checked too. A
    reference to a row that `pending` says is proposed alongside (not yet in
    the record) is left out of the checks; it is checked when it is written.
    """
    curated = REGISTRY[target]
    deferred = {
        f.name
        for f in curated.fields
        if f.is_relation
        and references.is_reference(values.get(f.name))
        and references.find(f.related_model, values[f.name]) is None
        and pending is not None
        and pending(f.related_model, values[f.name])
    }
    obj = curated.model() if base is None else fetch(target, base.pk)
    before = snapshot(target, obj) if base is not None else None
    wanted = normalise(target, {k: v for k, v in values.items() if k not in deferred}, before)
    for field in curated.fields:
        if field.name in wanted:
            setattr(obj, field.attname, python(field, wanted[field.name]))
    obj.full_clean(exclude=deferred or None)
    check_citations(wanted.get("citations", []))
    for child in curated.children:
        live = [] if before is None else before.get(child.related, [])
        for item in wanted.get(child.related, []):
            instance = child_instance(child, item)
            if obj.pk:
                setattr(instance, child.parent, obj)
            # A child as it is already passed its checks; a new or changed one is held
            # to them now (a month-precision date on the 14th, leaving before joining),
            # not first at approval. Those naming the parent are the database's.
            instance.full_clean(exclude=[child.parent], validate_constraints=False)
            if item not in live:
                _check_constraints(child, instance)
            check_citations(item.get("citations", []))
            _check_identifier(instance, obj)
            _check_parent(child, instance, obj)
    if target == "instrument" and "events" in wanted:
        check_adoption(obj, [child_instance(curated.child("events"), e) for e in wanted["events"]])
    return obj


def python(field: models.Field, value: Any) -> Any:
    return value if field.is_relation else field.to_python(value)


def child_instance(child: Child, values: dict[str, Any]) -> models.Model:
    instance = child.model()
    for field in child.fields:
        if field.name in values:
            setattr(instance, field.attname, python(field, values[field.name]))
    return instance


def _check_constraints(child: Child, instance: models.Model) -> None:
    # Check constraints only: a unique one would find the row this item replaces.
    errors = []
    for constraint in child.model._meta.constraints:
        if isinstance(constraint, models.CheckConstraint):
            try:
                constraint.validate(child.model, instance, exclude=[child.parent])
            except ValidationError as exc:
                errors.extend(exc.messages)
    if errors:
        raise ValidationError({child.related: [f"{instance}: {e}" for e in errors]})


def check_adoption(instrument: models.Model, events: list[models.Model]) -> None:
    """Refuse events that leave the act unadopted on a day an amendment of its takes effect."""
    from apps.amendments.status import adoption_needed, in_effect_before_adoption

    late = in_effect_before_adoption(instrument, events)
    if late:
        raise ValidationError({"events": [adoption_needed(late)]})


def _check_parent(child: Child, instance: models.Model, owner: models.Model) -> None:
    """A child's rules that read its parent (a duty's fine is of the same instrument),
    asked of a new parent too, whose row does not exist yet for the child's clean()."""
    check = getattr(instance, "check_parent", None)
    if check is None or owner.pk:
        return  # no such rule, or full_clean above has asked it already
    try:
        check(owner)
    except ValidationError as exc:
        raise ValidationError({child.related: exc.messages}) from None


def _check_identifier(child: models.Model, owner: models.Model) -> None:
    from apps.instruments.models import Identifier

    if not isinstance(child, Identifier):
        return
    taken = Identifier.objects.filter(scheme=child.scheme, value=child.value)
    if owner.pk:
        taken = taken.exclude(instrument_id=owner.pk)
    if taken.exists():
        raise ValidationError(
            {
                "identifiers": [
                    f"{child.scheme} {child.value}: this identifier already belongs "
                    "to another instrument."
                ]
            }
        )


def check_citations(ids: list[Any]) -> None:
    from apps.core.models import Citation

    wanted = {int(i) for i in ids}
    if not wanted:
        return
    found = set(Citation.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - found:
        raise ValidationError({"citations": [f"unknown citation id(s) {sorted(wanted - found)}"]})


def label(target: str, obj: models.Model) -> str:
    return f"{model_of(target)._meta.verbose_name} “{obj}”"
