"""Search pickers of the proposal forms: a related row is typed, never chosen from every row.

At 100,000 instruments and 20,000 citations a list of every row made a proposal
form megabytes long (issue 31). Each relation to an instrument, a jurisdiction or a
citation is now one text box:

- with the script (cases/search-picker.js), typing asks `lookup_view` for a few
  matches (apps.reading.pickers: the portal's ranked search, then titles that
  contain the text) and a click or Enter picks one; arrow keys move, Escape closes;
- without it, the box takes the row's key as typed: an instrument's slug, a
  citation's key, a jurisdiction's code (an id is accepted too).

A row picked for a single relation is named beside its box; the citations already
chosen are ticked boxes above it, unticked to remove one. What is posted is keys,
so a page re-shown with an error keeps what the editor typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, Q, QuerySet
from django.forms.utils import flatatt
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from apps.cases import policy
from apps.cases.policy import Act
from apps.core.models import Citation
from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction
from apps.reading import pickers

MEDIA_CSS = {"all": ["cases/proposal-forms.css"]}
MEDIA_JS = ["cases/search-picker.js"]


@dataclass(frozen=True)
class Kind:
    name: str
    model: type[Model]
    key: str  # the field a typed key is looked up in
    key_words: str  # what an editor calls that key
    upper: bool = False  # keys stored in capitals (codes), typed in any case

    def normal(self, text: str) -> str:
        return text.upper() if self.upper else text.lower()

    def label(self, row: Model) -> str:
        if self.name == "instrument":
            return f"{row.title} ({row.jurisdiction.code})"
        if self.name == "jurisdiction":
            return f"{row.name} ({row.code})"
        return f"{row.title} [{row.key}]"

    def rows(self) -> QuerySet:
        rows = self.model._default_manager.all()
        return rows.select_related("jurisdiction") if self.name == "instrument" else rows


KINDS = {
    k.name: k
    for k in (
        Kind("instrument", Instrument, "slug", "slug"),
        Kind("jurisdiction", Jurisdiction, "code", "code", upper=True),
        Kind("citation", Citation, "key", "key"),
    )
}
KIND_OF_MODEL = {k.model: k for k in KINDS.values()}


def kind_of(model: type[Model]) -> Kind | None:
    return KIND_OF_MODEL.get(model)


def _find(
    kind: Kind, tokens: list[str], rows: QuerySet | None = None
) -> tuple[dict[str, Model], list[str]]:
    """The rows of `rows` named by `tokens` (keys, or ids), one query; and the tokens
    naming none."""
    if not tokens:
        return {}, []
    keys = {kind.normal(t) for t in tokens}
    ids = {int(t) for t in tokens if t.isascii() and t.isdigit() and len(t) < 19}
    rows = kind.rows() if rows is None else rows
    found = list(rows.filter(Q(**{f"{kind.key}__in": keys}) | Q(pk__in=ids)))
    by_key = {getattr(row, kind.key): row for row in found}
    by_id = {str(row.pk): row for row in found}
    named, unknown = {}, []
    for token in tokens:
        # A key first: an id only names a row when no key is spelled that way.
        row = by_key.get(kind.normal(token)) or by_id.get(token)
        if row is None:
            unknown.append(token)
        else:
            named[token] = row
    return named, unknown


def _not_found(kind: Kind, unknown: list[str]) -> ValidationError:
    words = ", ".join(f"“{t}”" for t in unknown)
    return ValidationError(
        f"No {kind.name} has the {kind.key_words} {words}: type part of its name and pick it "
        f"from the matches, or type its {kind.key_words}.",
        code="invalid_choice",
    )


# -- widgets --------------------------------------------------------------------------


def _box(kind: Kind, name: str, value: str, attrs: dict[str, Any], placeholder: str) -> SafeString:
    box_id = attrs.get("id") or f"id_{name}"
    # The form's own attributes (its help text's id, aria-invalid, required) stay.
    described = " ".join(filter(None, [attrs.get("aria-describedby"), f"{box_id}-hint"]))
    box = {
        **{k: v for k, v in attrs.items() if k != "id"},
        "size": 40,
        "autocomplete": "off",
        "role": "combobox",
        "aria-autocomplete": "list",
        "aria-expanded": "false",
        "aria-controls": f"{box_id}-matches",
        "aria-describedby": described,
        "placeholder": placeholder,
    }
    return format_html(
        '<input type="text" name="{}" id="{}" value="{}"{}>'
        '<ul class="picker-matches" id="{}" role="listbox" aria-label="Matches" hidden></ul>'
        '<span class="picker-hint" id="{}">Type part of a name and pick a match with the arrow '
        "keys and Enter, or type the {} itself.</span>",
        name,
        box_id,
        value,
        flatatt(box),
        f"{box_id}-matches",
        f"{box_id}-hint",
        kind.key_words,
    )


class SearchPickerWidget(forms.Widget):
    """One related row: a box for its key (or part of its name, with the script)."""

    def __init__(self, kind: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.kind = KINDS[kind]

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        attrs = self.build_attrs(self.attrs, attrs)
        token = "" if value in (None, "") else str(getattr(value, "pk", value))
        named, _ = _find(self.kind, [token] if token else [])
        row = named.get(token)
        shown = getattr(row, self.kind.key) if row is not None else token
        return format_html(
            '<div class="search-picker" data-search-picker data-lookup="{}">{}'
            '<span class="picker-chosen" aria-live="polite">{}</span></div>',
            reverse("admin:cases_case_lookup", args=[self.kind.name]),
            _box(self.kind, name, shown, attrs, f"Type part of its name or its {self.kind.key}"),
            self.kind.label(row) if row is not None else "",
        )

    def value_from_datadict(self, data, files, name) -> str | None:
        value = data.get(name)
        return value.strip() if isinstance(value, str) else value

    class Media:
        css = MEDIA_CSS
        js = MEDIA_JS


class SearchPickerMultipleWidget(forms.Widget):
    """Several rows: the chosen ones as ticked boxes, and a box to add one more."""

    def __init__(self, kind: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.kind = KINDS[kind]

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        attrs = self.build_attrs(self.attrs, attrs)
        rows = [v for v in value or [] if isinstance(v, Model)]
        typed = _tokens([v for v in value or [] if not isinstance(v, Model)])
        named, unknown = _find(self.kind, typed)
        seen: set[int] = set()
        chosen = []
        for row in [*rows, *named.values()]:
            if row.pk not in seen:
                seen.add(row.pk)
                chosen.append(row)
        ticked = format_html_join(
            "",
            '<li><label><input type="checkbox" name="{}" value="{}" checked> {}</label></li>',
            ((name, getattr(row, self.kind.key), self.kind.label(row)) for row in chosen),
        )
        plural = f"{self.kind.name}s"
        return format_html(
            '<div class="search-picker" data-search-picker data-multiple data-lookup="{}">'
            '<ul class="picker-chosen" aria-label="Chosen {}">{}</ul>{}</div>',
            reverse("admin:cases_case_lookup", args=[self.kind.name]),
            plural,
            ticked,
            _box(self.kind, name, " ".join(unknown), {**attrs, "required": False},
                 f"Add a {self.kind.name}: part of its title or its {self.kind.key}"),
        )  # fmt: skip

    def value_from_datadict(self, data, files, name) -> list[str]:
        values = data.getlist(name) if hasattr(data, "getlist") else data.get(name)
        if values is None:
            return []
        return [values] if isinstance(values, str) else list(values)

    def value_omitted_from_data(self, data, files, name) -> bool:
        return name not in data

    class Media:
        css = MEDIA_CSS
        js = MEDIA_JS


def _tokens(values: list[Any]) -> list[str]:
    """Keys as posted: each box's value, a typed box possibly holding several."""
    out: list[str] = []
    for value in values:
        for token in re.split(r"[\s,;]+", str(getattr(value, "pk", value))):
            if token and token not in out:
                out.append(token)
    return out


# -- fields ---------------------------------------------------------------------------


class RowKeyField(forms.ModelChoiceField):
    """A related row given by its key (or id): the form's part of SearchPickerWidget."""

    def __init__(self, *, kind: str, **kwargs: Any) -> None:
        kwargs.pop("to_field_name", None)
        kwargs["widget"] = SearchPickerWidget(kind)
        kwargs.setdefault("help_text", "")
        super().__init__(**kwargs)
        self.kind = KINDS[kind]

    def to_python(self, value: Any) -> Model | None:
        if value in self.empty_values:
            return None
        if isinstance(value, self.queryset.model):
            return value
        token = str(value).strip()
        named, unknown = _find(self.kind, [token], self.queryset)
        if unknown:
            raise _not_found(self.kind, unknown)
        return named[token]

    def pk_of(self, value: Any) -> int | None:
        """The id `value` names, or None (nothing, or nothing known)."""
        if value in self.empty_values:
            return None
        token = str(getattr(value, "pk", value)).strip()
        row = _find(self.kind, [token], self.queryset)[0].get(token)
        return row.pk if row is not None else None

    def has_changed(self, initial: Any, data: Any) -> bool:
        if self.disabled:
            return False
        before = None if initial in self.empty_values else int(getattr(initial, "pk", initial))
        if data in self.empty_values:
            return before is not None
        return self.pk_of(data) != before


class RowKeysField(forms.ModelMultipleChoiceField):
    """Related rows given by their keys (or ids): the form's part of SearchPickerMultipleWidget."""

    def __init__(self, *, kind: str, **kwargs: Any) -> None:
        kwargs.pop("to_field_name", None)
        kwargs["widget"] = SearchPickerMultipleWidget(kind)
        kwargs.setdefault("help_text", "")
        super().__init__(**kwargs)
        self.kind = KINDS[kind]

    def clean(self, value: Any) -> QuerySet:
        tokens = _tokens(value or [])
        if not tokens:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return self.queryset.none()
        named, unknown = _find(self.kind, tokens, self.queryset)
        if unknown:
            raise _not_found(self.kind, unknown)
        found = self.queryset.filter(pk__in={row.pk for row in named.values()})
        self.run_validators(found)
        return found

    def has_changed(self, initial: Any, data: Any) -> bool:
        before = {int(getattr(v, "pk", v)) for v in initial or []}
        named, unknown = _find(self.kind, _tokens(data or []), self.queryset)
        return bool(unknown) or {row.pk for row in named.values()} != before


# -- the lookup the script asks -------------------------------------------------------


def lookup_view(request: HttpRequest, kind: str) -> JsonResponse:
    """Up to pickers.LIMIT rows matching `q`, best first, for one picker of the desk."""
    if kind not in pickers.FINDERS:
        raise Http404("No picker of that kind.")
    if policy.check(request.user, Act.PROPOSE) is not None:
        raise PermissionDenied
    found = pickers.FINDERS[kind](request.GET.get("q", ""))
    results = [{"id": p.id, "key": p.key, "label": p.label} for p in found]
    response = JsonResponse({"results": results})
    response["Cache-Control"] = "private, no-store"
    return response
