"""References: a proposal may name another curated row by what is known of it.

A reference is a mapping in place of a foreign key's id, such as
{"slug": "us-eo-13497", "identifier": {"scheme": "eo", "value": "13497"}}. It
names the live row that owns the identifier, or else the one whose unique
fields match. A reference to a row that is only proposed in the same case (a
new order and the revocation it makes, read from one document) stays a mapping
in the proposal: the approval creates that row first, and the reference then
resolves when the write service writes the row that names it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from apps.record.registry import Child, for_model


def is_reference(value: Any) -> bool:
    return isinstance(value, dict) and bool(value)


def name(reference: dict[str, Any]) -> str:
    """ "us-eo-14999 (eo 14999)": the natural key, and the identifier an editor knows."""
    natural = [str(v) for k, v in reference.items() if k != "identifier"]
    identifier = reference.get("identifier")
    number = (
        f"{identifier.get('scheme')} {identifier.get('value')}"
        if isinstance(identifier, dict)
        else ""
    )
    if natural and number:
        return f"{natural[0]} ({number})"
    return natural[0] if natural else number


def unique_lookup(model: type[models.Model], given: dict[str, Any]) -> dict[str, Any]:
    """The part of a natural key that names one row: its unique concrete fields."""
    lookup = {}
    for field_name, value in given.items():
        try:
            field = model._meta.get_field(field_name)
        except FieldDoesNotExist:
            continue
        if field.concrete and not field.is_relation and field.unique:
            lookup[field_name] = value
    return lookup


def identifiers(model: type[models.Model]) -> Child | None:
    curated = for_model(model)
    if curated is None:
        return None
    return next((c for c in curated.children if c.related == "identifiers"), None)


def find(model: type[models.Model], reference: dict[str, Any]) -> models.Model | None:
    """The live row a reference names: by identifier first, then by natural key."""
    live = model.objects.filter(retired_at__isnull=True)
    child = identifiers(model)
    identifier = reference.get("identifier")
    if child is not None and isinstance(identifier, dict):
        owners = child.model.objects.filter(
            scheme=identifier.get("scheme"), value=str(identifier.get("value"))
        ).values_list(f"{child.parent}_id", flat=True)
        row = live.filter(pk__in=owners).first()
        if row is not None:
            return row
    natural = {k: v for k, v in reference.items() if k != "identifier"}
    lookup = unique_lookup(model, natural)
    if not lookup or len(lookup) != len(natural):
        return None
    return live.filter(**lookup).first()


def proposed_in(changes: models.QuerySet, model: type[models.Model], reference: dict) -> bool:
    """A new row the reference names is proposed among `changes` (a case's proposals)."""
    curated = for_model(model)
    if curated is None:
        return False
    created = changes.filter(target=curated.target, action="create")
    natural = unique_lookup(model, {k: v for k, v in reference.items() if k != "identifier"})
    if any(created.filter(**{f"values__{k}": v}).exists() for k, v in natural.items()):
        return True
    identifier = reference.get("identifier")
    child = identifiers(model)
    return (
        child is not None
        and isinstance(identifier, dict)
        and created.filter(
            **{
                f"values__{child.related}__contains": [
                    {"scheme": identifier.get("scheme"), "value": str(identifier.get("value"))}
                ]
            }
        ).exists()
    )
