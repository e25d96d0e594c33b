"""Fields and widgets of the proposal forms (apps.cases.forms).

- PartialDateField: one text box for a date known to the year, month or day
  ("2025", "2025-02", "2025-02-14"); it gives the date and its precision together.
- PenaltiesField: an obligation's penalties as a small table of rows, one per
  addressee, with a "remove" box; new rows are added in the blank row.
- ConditionsField: an obligation's applicability conditions in the same table,
  each row checked by the Condition model's own rules.
- CitationsWidget: citations as checkboxes with a filter box, so a click adds or
  removes one citation and never drops the others (a plain multi-select drops
  every selection on a click without Ctrl).
- RowPickerWidget: a related row's list with the same filter box.
Widths are set by HTML attributes (size, cols), which the Content-Security-Policy
allows, so the forms fit a laptop screen with or without the stylesheet.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from apps.core.partial_dates import PartialDate, format_partial
from apps.record import rows

MEDIA_CSS = {"all": ["cases/proposal-forms.css"]}


# -- partial dates ------------------------------------------------------------------


class PartialDateField(forms.CharField):
    """Cleans "YYYY", "YYYY-MM" or "YYYY-MM-DD" to a PartialDate (None when empty)."""

    widget = forms.TextInput(attrs={"size": 10, "placeholder": "YYYY-MM-DD", "class": "vPartial"})
    FORMATS = "The year (2025), the month (2025-02) or the day (2025-02-14)."

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("help_text", self.FORMATS)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> PartialDate | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return PartialDate.parse(text)
        except ValidationError as exc:
            raise ValidationError(
                f"{exc.messages[0].split(':')[0]}: write the year (2025), the month (2025-02) "
                "or the day (2025-02-14)."
            ) from None

    def has_changed(self, initial: Any, data: Any) -> bool:
        return _partial_text(initial) != _partial_text(data)


def _partial_text(value: Any) -> str:
    if isinstance(value, PartialDate):
        return str(value)
    try:
        return str(PartialDate.parse(value)) if value not in (None, "") else ""
    except ValidationError:
        return str(value)


def partial_initial(instance: Any, name: str) -> str:
    return format_partial(getattr(instance, name), getattr(instance, f"{name}_precision"))


# -- citations ------------------------------------------------------------------------


class CitationsWidget(forms.CheckboxSelectMultiple):
    """Checkboxes in a scrolling box with a filter (a script narrows the list as one types)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"class": "citation-picker", **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        boxes = super().render(name, value, attrs, renderer)
        return format_html(
            '<div class="picker" data-picker>'
            '<input type="search" class="picker-filter" size="30" '
            'placeholder="Filter citations" aria-label="Filter citations">'
            '<div class="picker-choices">{}</div></div>',
            boxes,
        )

    class Media:
        css = MEDIA_CSS
        js = ["cases/picker.js"]


class RowPickerWidget(forms.Select):
    """A row (an instrument, a jurisdiction) chosen from a list narrowed by a filter box."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        return format_html(
            '<div class="picker" data-picker>'
            '<input type="search" class="picker-filter" size="30" placeholder="Filter" '
            'aria-label="Filter the list">{}</div>',
            super().render(name, value, attrs, renderer),
        )

    class Media:
        css = MEDIA_CSS
        js = ["cases/picker.js"]


# -- penalties ------------------------------------------------------------------------

# Columns as narrow as their content: amounts, three-letter currencies, short notes.
_SIZES = {"max_amount": 12, "currency": 3, "turnover_percent": 5, "prison_years": 4}


def _row_form() -> type[forms.ModelForm]:
    child = rows.kind("obligation").child("penalties")
    widgets = {
        name: forms.TextInput(attrs={"size": size, "inputmode": "decimal"})
        for name, size in _SIZES.items()
    }
    widgets["currency"] = forms.TextInput(attrs={"size": 3, "maxlength": 3})
    widgets["provenance_note"] = forms.TextInput(attrs={"size": 16})
    # What the penalty is first, where the facts come from last.
    names = sorted((f.name for f in child.fields), key=lambda name: name.startswith("provenance"))
    return forms.modelform_factory(child.model, fields=names, widgets=widgets)


def _formset(prefix: str, data: dict[str, Any] | None = None, initial=None):
    formset = forms.formset_factory(_row_form(), extra=1, can_delete=True)
    return formset(data=data, initial=initial, prefix=prefix)


class ChildRowsWidget(forms.Widget):
    """Child rows posted as a formset under the field's name: the value is the posted
    rows, or None when the form did not post them (the rows then stay as they are)."""

    def value_from_datadict(self, data, files, name) -> dict[str, Any] | None:
        if f"{name}-TOTAL_FORMS" not in data:
            return None
        return {key: data.get(key) for key in data if key.startswith(f"{name}-")}

    def value_omitted_from_data(self, data, files, name) -> bool:
        return f"{name}-TOTAL_FORMS" not in data


class PenaltiesWidget(ChildRowsWidget):
    """The penalty rows as a table."""

    # The rows' formset (prefix, posted data, initial rows); the conditions' widget has its own.
    formset_of = staticmethod(_formset)

    # What one row is called: it names each cell's field for a screen reader
    # ("Currency, penalty 1") and the table's scrolling region.
    word = "Penalty"

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        bound = isinstance(value, dict)
        formset = self.formset_of(name, value if bound else None, None if bound else value or [])
        fields = [f for f in formset.empty_form.fields if f != "DELETE"] + ["DELETE"]
        head = format_html_join("", "<th>{}</th>", (_heading(formset, name, f) for f in fields))
        body = format_html_join(
            "",
            "<tr>{}</tr>",
            (
                (
                    format_html_join(
                        "",
                        "<td>{}</td>",
                        (
                            (_widget(form[f], f"{self.word.lower()} {number}", f"{name}-{f}-col"),)
                            for f in fields
                        ),
                    ),
                )
                for number, form in enumerate(formset.forms, start=1)
            ),
        )
        # A wide table scrolls inside a region that takes the focus and has a name,
        # not the whole page (WCAG 1.4.10 reflow, 2.1.1 keyboard).
        # The region carries the field's id, so the error summary's link leads to it.
        return format_html(
            '{}<div class="rows-scroll" id="{}" tabindex="0" role="region" aria-label="{}">'
            '<table class="penalty-rows"><thead><tr>{}</tr></thead><tbody>{}</tbody></table></div>',
            formset.management_form,
            (attrs or {}).get("id") or f"id_{name}",
            f"{self.word} rows",
            head,
            body,
        )

    class Media:
        css = MEDIA_CSS


def _heading(formset, name: str, field: str) -> tuple[SafeString]:
    # The column's heading, with the field's help under it: one text for every row.
    bound = formset.empty_form[field]
    help_text = (
        format_html('<br><span class="help">{}</span>', bound.help_text) if bound.help_text else ""
    )
    return (format_html('<span id="{}-{}-col">{}{}</span>', name, field, bound.label, help_text),)


def _widget(bound_field, row: str, column: str) -> SafeString:
    # The widget alone: errors are said once, above the table, by the field. The label
    # names the row too ("Currency, penalty 1"); the description is the column's heading
    # and help, which the table shows (Django would point at a help text and an error
    # of the cell's own, which a row of a table does not have).
    return bound_field.as_widget(
        attrs={"aria-label": f"{bound_field.label}, {row}", "aria-describedby": column}
    )


class RowsField(forms.Field):
    """A field of rows (dicts) whose cleaned value is in an order of its own, so that the
    same rows compare equal whatever order an editor typed them in. Changed when the
    rows typed differ from the initial ones; a table that does not clean counts as
    changed (it is shown again, with its errors)."""

    def ordered(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        raise NotImplementedError

    def has_changed(self, initial: Any, data: Any) -> bool:
        if data is None:
            return False
        try:
            cleaned = self.clean(data)
        except ValidationError:
            return True
        return cleaned != self.ordered(list(initial or []))


class PenaltiesField(RowsField):
    """Cleans the posted rows to the plain values a proposal stores (None: not posted)."""

    widget = PenaltiesWidget

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            "One row per addressee; tick “Delete” to remove a penalty, "
            "fill the blank row to add one.",
        )
        super().__init__(**kwargs)

    # The posted rows' name: an obligation's own penalties, or an effect's new ones
    # ("effects-0-penalties", set by the effect's row form).
    prefix = "penalties"

    def clean(self, value: Any) -> list[dict[str, Any]] | None:
        if value is None:
            return None
        formset = _formset(self.prefix, value)
        if not formset.is_valid():
            raise ValidationError(_messages(formset))
        items = [
            {k: rows.plain(v) for k, v in form.cleaned_data.items() if k != "DELETE"}
            for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        seen: set[str] = set()
        for item in items:
            if item["applies_to"] in seen:
                raise ValidationError(
                    "Two penalties apply to the same addressees: keep one row per addressee."
                )
            seen.add(item["applies_to"])
        return self.ordered(items)

    def ordered(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(items, key=lambda item: item["applies_to"])


def _messages(formset, word: str = "Penalty") -> list[str]:
    out = list(formset.non_form_errors())
    for number, form in enumerate(formset.forms, start=1):
        for name, errors in form.errors.items():
            where = f"{word} {number}" + (f", {form[name].label}" if name != "__all__" else "")
            out.extend(f"{where}: {error}" for error in errors)
    return out


# -- conditions -----------------------------------------------------------------------


def _condition_formset(prefix: str, data: dict[str, Any] | None = None, initial=None):
    child = rows.kind("obligation").child("conditions")
    widgets = {
        "number": forms.TextInput(attrs={"size": 14, "inputmode": "decimal"}),
        "sectors": forms.TextInput(attrs={"size": 24}),
        "note": forms.TextInput(attrs={"size": 24}),
    }
    names = [f.name for f in child.fields]
    form = forms.modelform_factory(child.model, fields=names, widgets=widgets)
    return forms.formset_factory(form, extra=1, can_delete=True)(
        data=data, initial=initial, prefix=prefix
    )


class ConditionsWidget(PenaltiesWidget):
    """An obligation's conditions as a table of rows, like its penalties."""

    formset_of = staticmethod(_condition_formset)
    word = "Condition"


def _condition_order(item: dict[str, Any]) -> tuple[str, str]:
    return (item["fact"], item["comparison"])


class ConditionsField(RowsField):
    """Cleans the posted condition rows to plain values (None: not posted), each row checked
    by the model's own rules, so a malformed one is refused with the constraint's words."""

    widget = ConditionsWidget

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            "Whom the text binds: a threshold on a number (1e25 for 10^25 FLOP), SME status "
            "(flag) or sectors (comma-separated); every condition must be met.",
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> list[dict[str, Any]] | None:
        if value is None:
            return None
        formset = _condition_formset("conditions", value)
        if not formset.is_valid():
            raise ValidationError(_messages(formset, "Condition"))
        items = [
            {k: rows.plain(v) for k, v in form.cleaned_data.items() if k != "DELETE"}
            for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        keys = [_condition_order(item) for item in items]
        if len(set(keys)) != len(keys):
            unique = rows.kind("obligation").child("conditions").model._meta.constraints
            [once] = [c for c in unique if c.name == "condition_once"]
            raise ValidationError(str(once.get_violation_error_message()))
        return self.ordered(items)

    def ordered(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(items, key=_condition_order)
