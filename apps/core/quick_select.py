"""A choice list rendered by Python rather than one template per option.

Django renders each `<option>` of a `Select` through its own template include. An
instrument's admin change form holds about fifty lists (kind, precision and
provenance of every event and identifier, and the blank rows) and 430 options:
their templates took two thirds of the page's time at 100,000 instruments (issue
31). QuickSelect writes the same markup (the same `optgroups` data: names,
values, selection, groups) with `format_html`, escaped the same way.
"""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


class QuickSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        context = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group, options, _ in context["optgroups"]:
            rendered = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                (
                    (option["value"], flatatt(option["attrs"]), option["label"])
                    for option in options
                ),
            )
            groups.append(
                format_html('<optgroup label="{}">{}</optgroup>', group, rendered)
                if group
                else rendered
            )
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(context["attrs"]),  # with `multiple` when it is one
            format_html_join("", "{}", ((g,) for g in groups)),
        )


class QuickChoicesAdmin:
    """Mixed into a ModelAdmin or inline: its model's choice fields render as QuickSelect."""

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name not in self.radio_fields and "widget" not in kwargs:
            kwargs["widget"] = QuickSelect
        return super().formfield_for_choice_field(db_field, request, **kwargs)
