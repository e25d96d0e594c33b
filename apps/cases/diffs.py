"""Diffs of curated rows in words an editor reads: the one renderer of the case page.

Proposals (before the live row), published cases (the stored before and
after) and the three-way view of a stale proposal all pass their plain
values (apps.record.rows) through `Renderer`: a field is named by its label,
a code by its display value, a foreign key or a citation by its row's name,
a list item by item, and changed text word by word through the watcher's
highlighter (apps.sources.highlight), which escapes everything.

Names are read for a whole page at once: `Renderer.want` collects the ids
every diff on the page shows, `rows_for` reads them in one query per model
the first time it is asked, so a page costs the same queries whatever the
number of proposals.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import capfirst

from apps.cases.effect_words import EffectWords
from apps.core.models import Citation
from apps.core.partial_dates import format_partial
from apps.record import rows as plain_rows
from apps.record.registry import Child
from apps.sources import highlight

EMPTY = "—"
# An amendment's effects read as sentences (apps.cases.effect_words), not as fields.
EFFECTS = ("amendment", "effects")


@dataclass(frozen=True)
class FieldRow:
    key: str
    label: str
    before: SafeString
    after: SafeString
    changed: bool


# A list shown item by item: (identity, readable text) per item.
Items = list[tuple[Any, str]]


class Renderer:
    """Renders the diffs of one page, reading the names they show once."""

    def __init__(self) -> None:
        self._wanted: dict[type[models.Model], set[int]] = defaultdict(set)
        self._names: dict[type[models.Model], dict[int, str]] | None = None
        self._effects = EffectWords()

    # -- collecting ids -----------------------------------------------------
    def want(self, target: str, *values: dict[str, Any] | None) -> None:
        """Note the rows each of `values` (plain values of a `target` row) names."""
        kind = plain_rows.kind(target)
        children = {c.related: c for c in kind.children}
        for value in values:
            for key, raw in (value or {}).items():
                if key == "citations":
                    self._want_citations(raw)
                elif (target, key) == EFFECTS:
                    self._effects.want(raw)  # named in words of their own, read once
                elif key in children:
                    for item in raw or []:
                        self._want_fields(children[key].model, item)
                        self._want_citations(item.get("citations"))
            self._want_fields(kind.model, value or {})

    def _want_fields(self, model: type[models.Model], value: dict[str, Any]) -> None:
        for key, raw in value.items():
            field = _field(model, key)
            if field is not None and field.is_relation and isinstance(raw, int):
                self._wanted[field.related_model].add(raw)

    def _want_citations(self, ids: Any) -> None:
        self._wanted[Citation].update(i for i in ids or [] if isinstance(i, int))

    def _name(self, model: type[models.Model], pk: int) -> str:
        if self._names is None:
            self._names = {
                m: {obj.pk: str(obj) for obj in m._default_manager.in_bulk(ids).values()}
                for m, ids in self._wanted.items()
                if ids
            }
        name = self._names.get(model, {}).get(pk)
        return name if name is not None else f"{model._meta.verbose_name} #{pk} (not in the record)"

    # -- rendering ----------------------------------------------------------
    def rows_for(
        self,
        target: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        *,
        row: models.Model | None = None,
    ) -> list[FieldRow]:
        """One row per key of either side, in the row's field order, labels and names shown.

        `row` (the row as it is, if any) gives what a side leaves out and its words need:
        an amendment's date of effect, for its effects."""
        kind = plain_rows.kind(target)
        before, after = before or {}, after or {}
        keys = set(before) | set(after)
        out = []
        for key in self.order(target, keys):
            old = self.display(target, key, before, row=row) if key in before else None
            new = self.display(target, key, after, row=row) if key in after else None
            old_html, new_html = cells(old, new)
            out.append(
                FieldRow(
                    key,
                    self.label(kind.model, key),
                    old_html,
                    new_html,
                    before.get(key) != after.get(key),
                )
            )
        return out

    @staticmethod
    def order(target: str, keys: set[str]) -> list[str]:
        kind = plain_rows.kind(target)
        known = [
            *(f.name for f in kind.fields),
            *kind.derived,
            *kind.stamped,
            "citations",
            *(c.related for c in kind.children),
        ]
        return [k for k in known if k in keys] + sorted(keys - set(known))

    @staticmethod
    def label(model: type[models.Model], key: str) -> str:
        field = _field(model, key)
        if field is not None and hasattr(field, "verbose_name"):
            return capfirst(field.verbose_name)
        if field is not None:  # a reverse relation: the children's plural name
            return capfirst(field.related_model._meta.verbose_name_plural)
        return capfirst(key.replace("_", " "))

    def display(
        self, target: str, key: str, values: dict[str, Any], *, row: models.Model | None = None
    ) -> str | Items:
        """The readable form of one key of a row: a text, or a list of items."""
        kind = plain_rows.kind(target)
        raw = values.get(key)
        if key == "citations":
            return [(pk, self._name(Citation, pk)) for pk in raw or []]
        if (target, key) == EFFECTS:
            return self._effect_items(kind.child(key), raw, values, row)
        child = next((c for c in kind.children if c.related == key), None)
        if child is not None:
            return [
                (plain_rows.child_key(child, item), self._child_text(child, item))
                for item in raw or []
            ]
        field = _field(kind.model, key)
        if isinstance(raw, list) and field is not None:  # an array: item by item
            base = getattr(field, "base_field", field)
            return [(item, _choice(base, item)) for item in raw]
        return self._value(kind.model, key, values)

    def _effect_items(
        self, child: Child, items: Any, values: dict[str, Any], row: models.Model | None
    ) -> Items:
        # The date of effect of this side of the diff, else of the row as it is.
        when = (
            values["effective_on"]
            if "effective_on" in values
            else getattr(row, "effective_on", None)
        )
        return [
            (
                plain_rows.child_key(child, item),
                self._effects.text(item, effective_on=when, amendment_id=getattr(row, "pk", None)),
            )
            for item in items or []
        ]

    def _child_text(self, child: Child, item: dict[str, Any]) -> str:
        # Its natural key first, bare ("entered into force · 2024-08-01"), then the rest.
        parts = [self._value(child.model, name, item) for name in child.key]
        for field in child.fields:
            if (
                field.name in child.key
                or field.name.endswith("_precision")
                or item.get(field.name) in (None, "", [])
            ):
                continue
            parts.append(f"{field.verbose_name}: {self._value(child.model, field.name, item)}")
        if item.get("citations"):
            cited = "; ".join(self._name(Citation, pk) for pk in item["citations"])
            parts.append(f"cites: {cited}")
        return " · ".join(parts)

    def _value(self, model: type[models.Model], key: str, values: dict[str, Any]) -> str:
        raw = values.get(key)
        field = _field(model, key)
        if raw is None or raw == "" or raw == []:
            return EMPTY
        if field is None:
            return str(raw)
        if field.is_relation:
            return self._name(field.related_model, raw) if isinstance(raw, int) else str(raw)
        if isinstance(raw, list):  # an array field: its items' display values
            base = getattr(field, "base_field", field)
            return ", ".join(_choice(base, item) for item in raw)
        if isinstance(field, models.BooleanField):
            return "yes" if raw else "no"
        if isinstance(field, models.DateField) and f"{key}_precision" in values:
            # A partial date reads as it was known: "2025", "2025-02".
            precision = values[f"{key}_precision"]
            return format_partial(field.to_python(raw), precision) if precision else str(raw)
        return _choice(field, raw)


def _field(model: type[models.Model], key: str) -> models.Field | None:
    try:
        return model._meta.get_field(key)
    except FieldDoesNotExist:  # a key no field holds is shown by its own name
        return None


def _choice(field: models.Field, raw: Any) -> str:
    choices = dict(field.flatchoices) if getattr(field, "choices", None) else {}
    return str(choices.get(raw, raw))


def cells(old: str | Items | None, new: str | Items | None) -> tuple[SafeString, SafeString]:
    """The before and after cells, changed words and items marked.

    None is a side that has no such key (a new row's before): shown as a dash.
    """
    if isinstance(old, list) or isinstance(new, list):
        return _items(
            old if isinstance(old, list) else None, new if isinstance(new, list) else None
        )
    if old is None or new is None:
        return format_html("{}", old or EMPTY), format_html("{}", new or EMPTY)
    if old == new:
        return format_html("{}", old), format_html("{}", new)
    if EMPTY in (old, new):  # from nothing to a value, or back: the whole value moved
        return (
            format_html("<del>{}</del>", old) if old != EMPTY else format_html("{}", old),
            format_html("<ins>{}</ins>", new) if new != EMPTY else format_html("{}", new),
        )
    return highlight.pair(old, new)


def _items(old: Items | None, new: Items | None) -> tuple[SafeString, SafeString]:
    """Lists item by item: a removed item struck out, an added one marked, a changed one
    (same identity, new text) word by word."""
    before, after = dict(old or []), dict(new or [])
    old_cells, new_cells = [], []
    for key, text in old or []:
        if key not in after:
            old_cells.append(format_html("<del>{}</del>", text))
        else:
            old_cells.append(highlight.pair(text, after[key])[0] if after[key] != text else text)
    for key, text in new or []:
        if key not in before:
            new_cells.append(format_html("<ins>{}</ins>", text))
        else:
            new_cells.append(highlight.pair(before[key], text)[1] if before[key] != text else text)
    return _list(old_cells, old is None), _list(new_cells, new is None)


def _list(items: list[Any], absent: bool) -> SafeString:
    if not items:
        return format_html("{}", EMPTY if absent else "(none)")
    return format_html(
        '<ul class="diff-items">{}</ul>', format_html_join("", "<li>{}</li>", ((i,) for i in items))
    )
