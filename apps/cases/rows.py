"""Curated rows as plain values: what a proposal holds and what the audit trail records.

A row's values are its editable concrete fields in JSON form (dates as ISO
strings, decimals as strings, foreign keys as ids), its citations as a sorted
list of ids, and for instruments and obligations their owned children
(identifiers, penalties) as lists of plain values.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from apps.amendments.models import Amendment
from apps.instruments.models import Identifier, Instrument, InstrumentEvent
from apps.jurisdictions.models import Jurisdiction
from apps.obligations.models import Obligation, Penalty

MODELS: dict[str, type[models.Model]] = {
    "jurisdiction": Jurisdiction,
    "instrument": Instrument,
    "obligation": Obligation,
    "amendment": Amendment,
}
# Owned children proposed together with their row: related name -> (model, fields).
CHILDREN: dict[str, dict[str, tuple[type[models.Model], tuple[str, ...]]]] = {
    "instrument": {
        "identifiers": (Identifier, ("scheme", "value", "provenance")),
        "events": (InstrumentEvent, ("kind", "date", "date_precision", "note", "provenance")),
    },
    "obligation": {
        "penalties": (
            Penalty,
            ("applies_to", "max_amount", "currency", "turnover_percent", "prison_years", "rule"),
        ),
    },
}
_SKIP = {"id", "version", "created_at", "updated_at", "retired_at", "status", "status_since"}


def fields_of(target: str) -> list[models.Field]:
    model = MODELS[target]
    return [f for f in model._meta.concrete_fields if f.editable and f.name not in _SKIP]


def plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(target: str, obj: models.Model) -> dict[str, Any]:
    """The row's current values (uses prefetched citations and children when present)."""
    values = {f.name: plain(getattr(obj, f.attname)) for f in fields_of(target)}
    values["citations"] = sorted(c.pk for c in obj.citations.all())
    for related, (_, names) in CHILDREN.get(target, {}).items():
        values[related] = sorted(
            ({n: plain(getattr(child, n)) for n in names} for child in getattr(obj, related).all()),
            key=lambda d: [str(d[n]) for n in names],
        )
    return values


def build(target: str, values: dict[str, Any], base: models.Model | None) -> models.Model:
    """An unsaved instance carrying `values` on top of `base`, validated by the model's rules.

    Raises ValidationError with the model's own messages. Children and
    citations are validated too; they are saved by `save`.
    """
    model = MODELS[target]
    obj = model() if base is None else model.objects.get(pk=base.pk)
    errors: dict[str, list[str]] = {}
    for field in fields_of(target):
        if field.name not in values:
            continue
        raw = values[field.name]
        try:
            if field.is_relation:
                setattr(obj, field.attname, None if raw in (None, "") else int(raw))
            else:
                setattr(
                    obj, field.attname, field.to_python(raw if raw is not None else _empty(field))
                )
        except (ValidationError, ValueError, TypeError) as exc:
            errors[field.name] = getattr(exc, "messages", [str(exc)])
    if errors:
        raise ValidationError(errors)
    obj.full_clean()
    _check_citations(values.get("citations", []))
    for related in CHILDREN.get(target, {}):
        for child in _children(target, related, obj, values):
            child.full_clean(exclude=[_parent_field(target)], validate_constraints=False)
            _check_child_unique(child, obj)
    return obj


def save(target: str, obj: models.Model, values: dict[str, Any]) -> None:
    """Save a built row with its citations and children.

    Children are synced, not replaced: one whose values are unchanged keeps its
    row (and so its own citations); the rest are removed or added.
    """
    obj.save()
    if "citations" in values:
        obj.citations.set(values["citations"])
    for related, (_, names) in CHILDREN.get(target, {}).items():
        if related not in values:
            continue  # a proposal that leaves these children alone
        existing = {_child_key(child, names): child for child in getattr(obj, related).all()}
        wanted = _children(target, related, obj, values)
        keep = {_child_key(child, names) for child in wanted}
        for key, child in existing.items():
            if key not in keep:
                child.delete()
        for child in wanted:
            if _child_key(child, names) in existing:
                continue
            setattr(child, _parent_field(target), obj)
            child.full_clean()
            child.save()


def _child_key(child: models.Model, names: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(plain(getattr(child, name)) for name in names)


def _empty(field: models.Field) -> Any:
    return "" if isinstance(field, models.CharField | models.TextField) else None


def _parent_field(target: str) -> str:
    return "instrument" if target == "instrument" else "obligation"


def _children(
    target: str, related: str, obj: models.Model, values: dict[str, Any]
) -> list[models.Model]:
    if related not in values:
        return []
    child_model, names = CHILDREN[target][related]
    built = []
    for item in values[related] or []:
        child = child_model(
            **{n: _child_value(child_model, n, item[n]) for n in names if n in item}
        )
        if obj.pk:
            setattr(child, _parent_field(target), obj)
        built.append(child)
    return built


def _child_value(model: type[models.Model], name: str, raw: Any) -> Any:
    field = model._meta.get_field(name)
    if raw is None:
        return _empty(field)
    try:
        return field.to_python(raw)
    except ValidationError as exc:
        raise ValidationError({name: exc.messages}) from None


def _check_child_unique(child: models.Model, owner: models.Model) -> None:
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


def _check_citations(ids: list[Any]) -> None:
    from apps.core.models import Citation

    wanted = {int(i) for i in ids}
    found = set(Citation.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - found:
        raise ValidationError({"citations": [f"unknown citation id(s) {sorted(wanted - found)}"]})


def label(target: str, obj: models.Model) -> str:
    return f"{MODELS[target]._meta.verbose_name} “{obj}”"
