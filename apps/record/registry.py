"""The one list of curated models and the children each owns.

The write service (apps.record.services), proposals (rows, forms), the case
pages, the curated admin and the audit trail's target names all derive from
it: adding a curated model or a child here is the whole registration.

Models are named by label and resolved lazily, so apps.cases.models can take
its target choices from here without importing the other apps' models.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.apps import apps
from django.db import models

# Bookkeeping columns: written by the service, never proposed or diffed as facts.
BOOKKEEPING = frozenset({"id", "version", "created_at", "updated_at", "retired_at"})


def _editable(model: type[models.Model], leave_out: set[str]) -> tuple[models.Field, ...]:
    return tuple(
        f
        for f in model._meta.concrete_fields
        if f.editable and f.name not in BOOKKEEPING and f.name not in leave_out
    )


@dataclass(frozen=True)
class Child:
    """Rows owned by a curated row and proposed, written and audited with it."""

    related: str  # the related name on the parent; also the key in a row's values
    label: str  # "app_label.Model"
    parent: str  # the foreign key to the parent
    key: tuple[str, ...]  # natural key among one parent's children of this kind

    @cached_property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)

    @cached_property
    def fields(self) -> tuple[models.Field, ...]:
        return _editable(self.model, {self.parent})

    @cached_property
    def cited(self) -> bool:
        return any(f.name == "citations" for f in self.model._meta.many_to_many)


@dataclass(frozen=True)
class Curated:
    target: str  # the name proposals and the audit trail use
    label: str
    children: tuple[Child, ...] = ()
    # Caches readers see that no one proposes (an instrument's derived status):
    # written only by the service, and audited like any other field.
    derived: tuple[str, ...] = ()
    named_by: tuple[str, ...] = ()  # the relations its __str__ reads, to select_related
    # Check stamps: written only by an editor's check (services.verify) or the seed
    # loader, never proposed in a case or edited directly; audited like any field.
    stamped: tuple[str, ...] = ()

    @cached_property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)

    @cached_property
    def fields(self) -> tuple[models.Field, ...]:
        return _editable(self.model, set(self.derived) | set(self.stamped))

    @cached_property
    def stamp_fields(self) -> tuple[models.Field, ...]:
        return tuple(self.model._meta.get_field(name) for name in self.stamped)

    def child(self, related: str) -> Child:
        return next(c for c in self.children if c.related == related)


STAMPS = ("last_verified_on", "verified_against")

REGISTRY: dict[str, Curated] = {
    kind.target: kind
    for kind in (
        Curated(
            "jurisdiction",
            "jurisdictions.Jurisdiction",
            children=(
                Child("memberships", "jurisdictions.Membership", "group", ("member", "joined_on")),
            ),
            stamped=STAMPS,
        ),
        Curated(
            "instrument",
            "instruments.Instrument",
            children=(
                Child("identifiers", "instruments.Identifier", "instrument", ("scheme", "value")),
                Child("events", "instruments.InstrumentEvent", "instrument", ("kind", "date")),
                Child("parties", "instruments.InstrumentParty", "instrument", ("jurisdiction",)),
            ),
            derived=("status", "status_since"),
            stamped=STAMPS,
        ),
        Curated(
            "obligation",
            "obligations.Obligation",
            children=(
                Child("penalties", "obligations.Penalty", "obligation", ("applies_to",)),
                Child("conditions", "obligations.Condition", "obligation", ("fact", "comparison")),
                Child("fine_links", "obligations.FineLink", "obligation", ("fine",)),
            ),
            named_by=("instrument",),
        ),
        Curated(
            "amendment",
            "amendments.Amendment",
            children=(Child("effects", "amendments.Effect", "amendment", ("obligation", "kind")),),
            named_by=("source_instrument", "source_jurisdiction", "target_instrument"),
        ),
    )
}


def for_model(model: type[models.Model]) -> Curated | None:
    label = model._meta.label
    return next((kind for kind in REGISTRY.values() if kind.label == label), None)


def child_models() -> list[type[models.Model]]:
    return [child.model for kind in REGISTRY.values() for child in kind.children]
