"""Child rows proposed with their row, as a table: an instrument's events and parties, a
jurisdiction's memberships (the registry's children, apps.record.registry), issue 23.

One table row per child: each date in one box (2025, 2025-02, 2025-02-14), a jurisdiction
by its code, the citations by their keys, a Delete box; the blank row adds one. The
field cleans the rows to the plain values a proposal stores (apps.record.rows'
child_snapshot), so a row left as it was equals the live child and is no part of the
change, and a corrected date is the same event with its new date: its note, provenance
and citations stay, as they are in its row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache, cached_property, partial
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst

from apps.cases.widgets import PartialDateField, PenaltiesWidget, RowsField, _messages
from apps.core.models import Citation
from apps.core.partial_dates import format_partial
from apps.jurisdictions.models import Jurisdiction
from apps.record import rows
from apps.record.registry import Child

_SIZES = {"note": 28, "provenance_note": 16, "citations": 24}


@dataclass(frozen=True)
class Table:
    target: str
    related: str
    word: str  # what one row is called: "Event" (screen readers hear "Date, event 2")
    help: str

    @cached_property
    def child(self) -> Child:
        return rows.kind(self.target).child(self.related)

    @cached_property
    def dates(self) -> tuple[str, ...]:
        names = {f.name for f in self.child.fields}
        return tuple(n for n in names if f"{n}_precision" in names)

    @cached_property
    def codes(self) -> tuple[str, ...]:
        """The columns naming a jurisdiction, typed as its code."""
        return tuple(f.name for f in self.child.fields if f.is_relation)

    def shown(self) -> list[models.Field]:
        """The columns: what the child is first, where its facts come from last."""
        precisions = {f"{n}_precision" for n in self.dates}
        fields = [f for f in self.child.fields if f.name not in precisions]
        return sorted(fields, key=lambda f: f.name.startswith("provenance"))


EVENTS = Table(
    "instrument",
    "events",
    "Event",
    "One row per dated event. Correct a date in its box (a year, a month or a day: the "
    "precision follows what you type), tick “Delete” to remove an event, fill the blank row "
    "to add one. Citations: their keys, separated by spaces.",
)
PARTIES = Table(
    "instrument",
    "parties",
    "Party",
    "Its signatories or adherents: a jurisdiction's code (FR, EU, G7) and the day it joined. "
    "Later accessions are amendments of kind “accedes to”.",
)
MEMBERSHIPS = Table(
    "jurisdiction",
    "memberships",
    "Membership",
    "The members of this group over time: the member's code, the day it joined and the "
    "day it left (empty while it is a member).",
)
# The tables each proposal form carries, by target.
TABLES: dict[str, tuple[Table, ...]] = {
    "instrument": (EVENTS, PARTIES),
    "jurisdiction": (MEMBERSHIPS,),
}


@cache
def _row_form(table: Table) -> type[forms.Form]:
    columns: dict[str, forms.Field] = {}
    for field in table.shown():
        label = capfirst(field.verbose_name)
        if field.name in table.dates:
            columns[field.name] = PartialDateField(label=label, required=not field.null)
        elif field.is_relation:
            columns[field.name] = forms.CharField(
                label=label,
                max_length=32,
                help_text="Its code.",
                widget=forms.TextInput(attrs={"size": 8}),
            )
        else:
            formfield = field.formfield()
            if isinstance(formfield.widget, forms.TextInput):
                formfield.widget.attrs["size"] = _SIZES.get(field.name, 16)
            columns[field.name] = formfield
    if table.child.cited:
        columns["citations"] = forms.CharField(
            label="Citations",
            required=False,
            help_text="Keys, separated by spaces.",
            widget=forms.TextInput(attrs={"size": _SIZES["citations"]}),
        )
    return type(f"{table.word}RowForm", (forms.Form,), columns)


def _formset(table: Table, prefix: str, data=None, initial=None):
    formset = forms.formset_factory(_row_form(table), extra=1, can_delete=True)
    return formset(data=data, initial=initial, prefix=prefix)


def order(table: Table, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Items in the order the record keeps them (natural key), so equal lists compare equal."""
    child = table.child
    return sorted(items, key=lambda i: (rows.child_key(child, i), repr(sorted(i.items()))))


class ChildTableWidget(PenaltiesWidget):
    """The rows as a table (PenaltiesWidget's), the live rows shown as an editor types them."""

    def __init__(self, table: Table, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.table = table
        self.word = table.word
        self.formset_of = partial(_formset, table)
        # Ids of the rows the live children name, to their keys and codes (ChildRowsField.show).
        self.keys: dict[int, str] = {}
        self.codes: dict[int, str] = {}

    def render(self, name, value, attrs=None, renderer=None):
        if not isinstance(value, dict):  # not posted: the live children, as plain values
            value = [self.typed(item) for item in value or []]
        return super().render(name, value, attrs, renderer)

    def typed(self, item: dict[str, Any]) -> dict[str, Any]:
        row = {}
        for field in self.table.shown():
            raw = item.get(field.name)
            if field.name in self.table.dates:
                day = dt.date.fromisoformat(raw) if raw else None
                row[field.name] = format_partial(day, item.get(f"{field.name}_precision", ""))
            elif field.is_relation:
                row[field.name] = self.codes.get(raw, raw)
            else:
                row[field.name] = raw
        if self.table.child.cited:
            row["citations"] = " ".join(self.keys.get(i, str(i)) for i in item["citations"])
        return row


class ChildRowsField(RowsField):
    """Cleans the posted rows to plain child values (None: not posted, the children stay)."""

    def __init__(self, table: Table, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", table.help)
        kwargs["widget"] = ChildTableWidget(table)
        super().__init__(**kwargs)
        self.table = table

    def bound_data(self, data: Any, initial: Any) -> Any:
        # A form posted without the table (a script, a test) is shown again with the live
        # rows: an empty table sent back would propose removing every one of them.
        return initial if data is None else data

    def show(self, items: list[dict[str, Any]]) -> None:
        """Read the keys and codes the live rows name, once for the whole table."""
        cited = {i for item in items for i in item.get("citations", [])}
        named = {item[n] for item in items for n in self.table.codes if item.get(n)}
        if cited:
            found = Citation.objects.filter(pk__in=cited).values_list("pk", "key")
            self.widget.keys = dict(found)
        if named:
            found = Jurisdiction.objects.filter(pk__in=named).values_list("pk", "code")
            self.widget.codes = dict(found)

    def clean(self, value: Any) -> list[dict[str, Any]] | None:
        if value is None:
            return None
        formset = _formset(self.table, self.table.related, value)
        if not formset.is_valid():
            raise ValidationError(_messages(formset, self.table.word))
        kept = [
            (number, form.cleaned_data)
            for number, form in enumerate(formset.forms, start=1)
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        items = self._plain(kept)
        keys = [rows.child_key(self.table.child, item) for item in items]
        if len(set(keys)) != len(keys):
            named = " and ".join(self.table.child.key).replace("_", " ")
            raise ValidationError(
                f"Two {self.table.word.lower()} rows have the same {named}: keep one of them."
            )
        return self.ordered(items)

    def _plain(self, kept: list[tuple[int, dict[str, Any]]]) -> list[dict[str, Any]]:
        codes = {row[n].strip().upper() for _, row in kept for n in self.table.codes}
        keys = {k for _, row in kept for k in row.get("citations", "").split()}
        by_code = dict(Jurisdiction.objects.filter(code__in=codes).values_list("code", "pk"))
        by_key = dict(Citation.objects.filter(key__in=keys).values_list("key", "pk"))
        errors, items = [], []
        for number, row in kept:
            where = f"{self.table.word} {number}"
            item: dict[str, Any] = {}
            for field in self.table.child.fields:
                name = field.name
                if name in self.table.dates:
                    when = row[name]
                    item[name] = when.start.isoformat() if when else None
                    item[f"{name}_precision"] = when.precision if when else ""
                elif field.is_relation:
                    code = row[name].strip().upper()
                    item[name] = by_code.get(code)
                    if item[name] is None:
                        errors.append(f"{where}: no jurisdiction has the code “{code}”.")
                elif not name.endswith("_precision"):
                    item[name] = rows.plain(row[name])
            if self.table.child.cited:
                typed = row.get("citations", "").split()
                unknown = [k for k in typed if k not in by_key]
                if unknown:
                    words = ", ".join(f"“{k}”" for k in unknown)
                    errors.append(f"{where}: no citation has the key {words}.")
                item["citations"] = sorted({by_key[k] for k in typed if k in by_key})
            items.append(item)
        if errors:
            raise ValidationError(errors)
        return items

    def ordered(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return order(self.table, items)


def live_items(table: Table, row: models.Model) -> list[dict[str, Any]]:
    """The row's children of this table as plain values (two queries: them, their citations)."""
    children = getattr(row, table.related).all()
    if table.child.cited:
        children = children.prefetch_related("citations")
    return order(table, [rows.child_snapshot(table.child, c) for c in children])
