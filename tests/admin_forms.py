"""Post an admin change form the way a browser would: every field as rendered."""

from __future__ import annotations

from typing import Any

from django import forms


def _value(field, value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(field, forms.ModelMultipleChoiceField):
        return [getattr(v, "pk", v) for v in value]
    prepared = field.prepare_value(value)
    return "" if prepared is None else prepared


def form_data(form, prefix_fields: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        key = form.add_prefix(name) if prefix_fields else name
        value = form.initial.get(name, field.initial)
        if callable(value):
            value = value()
        # A single box posts "on" when ticked; a list of boxes posts its values.
        multiple = getattr(field.widget, "allow_multiple_selected", False)
        if getattr(field.widget, "input_type", None) == "checkbox" and not multiple:
            if value:
                data[key] = "on"
            continue
        data[key] = _value(field, value)
    return data


def admin_form_data(response) -> dict[str, Any]:
    """The POST body of the admin change page in `response`, unchanged."""
    data = form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management.initial.get(name, "")
        for form in formset.initial_forms:
            data.update(form_data(form))
    return data
