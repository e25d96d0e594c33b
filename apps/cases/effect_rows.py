"""The effects of an amendment in its proposal form, as the penalties of an obligation are:
child rows (the registry's child "effects") in a small table, one per effect.

Each row: what the amendment does (move the date it applies from or until, replace
the requirement, addressee, risk tier or penalties, end or add the obligation),
the obligation it does it to, picked from the target instrument's published
obligations only, and the new date, text or penalties. A row's values are checked
by the model's rules in apps.cases.effects once the form knows the target.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from apps.amendments.models import EffectKind
from apps.cases.widgets import (
    MEDIA_CSS,
    ChildRowsWidget,
    PenaltiesField,
    RowPickerWidget,
    RowsField,
)
from apps.obligations.models import Addressee, Obligation, RiskTier
from apps.record import rows

# An addressee or risk tier may be typed as a reader says it ("high risk").
BY_LABEL = {
    EffectKind.ADDRESSEE: {label: value for value, label in Addressee.choices},
    EffectKind.RISK_TIER: {label: value for value, label in RiskTier.choices},
}
NOT_LISTED = (
    "Obligation #%(value)s is not a published obligation of the target instrument: "
    "pick one from the list (it lists the target's obligations)."
)


def obligation_choices(instrument: int | None) -> list[tuple[Any, str]]:
    """The target instrument's published obligations: never every obligation of the record."""
    found = (
        Obligation.objects.published()
        .filter(instrument=instrument)
        .order_by("provision", "pk")
        .values_list("pk", "provision", "key")
        if instrument
        else []
    )
    return [("", "---------"), *((pk, f"{provision} · {key}") for pk, provision, key in found)]


class EffectRowForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("", "---------"), *EffectKind.choices], required=False, label="What it does"
    )
    obligation = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        widget=RowPickerWidget,
        error_messages={"invalid_choice": NOT_LISTED},
    )
    date = forms.DateField(
        required=False,
        label="New date",
        widget=forms.DateInput(attrs={"size": 10, "placeholder": "YYYY-MM-DD"}, format="%Y-%m-%d"),
    )
    text = forms.CharField(
        required=False, label="New text", widget=forms.Textarea(attrs={"cols": 40, "rows": 2})
    )
    penalties = PenaltiesField(label="New penalties", help_text="")

    def __init__(self, *args: Any, obligations: list[tuple[Any, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["obligation"].choices = obligations
        self.fields["penalties"].prefix = self.add_prefix("penalties")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind")
        if not kind:
            self.add_error("kind", "Say what the amendment does to the obligation.")
        if "obligation" in data and data["obligation"] is None:
            self.add_error("obligation", "Pick the obligation it changes.")
        text = (data.get("text") or "").strip()
        data["text"] = BY_LABEL.get(kind, {}).get(text, text)
        penalties = data.get("penalties")
        if kind == EffectKind.PENALTIES:
            data["penalties"] = penalties or []  # none listed: the penalties are removed
        elif penalties:
            self.add_error("penalties", "Only a replacement of the penalties lists penalties.")
        else:
            data["penalties"] = None
        return data


def _formset(prefix: str, obligations, data: dict[str, Any] | None = None, initial=None):
    formset = forms.formset_factory(EffectRowForm, extra=2, can_delete=True)
    return formset(
        data=data, initial=initial, prefix=prefix, form_kwargs={"obligations": obligations}
    )


class EffectsWidget(ChildRowsWidget):
    """The effects as a table, a row each, with the new penalties folded under their row."""

    obligations: list[tuple[Any, str]] = []

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        bound = isinstance(value, dict)
        formset = _formset(
            name, self.obligations, value if bound else None, None if bound else value or []
        )
        columns = ["kind", "obligation", "date", "text", "DELETE"]
        head = format_html_join(
            "",
            '<th id="{}-{}-col">{}</th>',
            ((name, c, formset.empty_form[c].label) for c in columns),
        )
        body = format_html_join(
            "",
            '<tr>{}</tr><tr class="effect-penalties"><td colspan="{}">{}</td></tr>',
            (
                (
                    format_html_join(
                        "",
                        "<td>{}</td>",
                        # Named with the row: the column heading alone does not label a
                        # field. Described by that heading, not by Django's per-field help
                        # and error ids, which a row of the table does not render.
                        (
                            (
                                form[c].as_widget(
                                    attrs={
                                        "aria-label": f"{form[c].label}, effect {n}",
                                        "aria-describedby": f"{name}-{c}-col",
                                    }
                                ),
                            )
                            for c in columns
                        ),
                    ),
                    len(columns),
                    _penalties(form),
                )
                for n, form in enumerate(formset.forms, start=1)
            ),
        )
        # Wide: it scrolls inside a focusable, named region rather than widen the page.
        return format_html(
            '{}<div class="rows-scroll" tabindex="0" role="region" aria-label="Effect rows">'
            '<table class="effect-rows"><thead><tr>{}</tr></thead><tbody>{}</tbody></table></div>',
            formset.management_form,
            head,
            body,
        )

    class Media:
        css = MEDIA_CSS
        js = ["cases/picker.js"]  # the obligation lists' filter boxes


def _penalties(form: EffectRowForm) -> SafeString:
    # Folded away unless the row replaces the penalties (no script: the page's policy).
    kind = form["kind"].value()
    return format_html(
        "<details{}><summary>New penalties, for “{}” only</summary>{}</details>",
        " open" if kind == EffectKind.PENALTIES else "",
        EffectKind.PENALTIES.label,
        form["penalties"].as_widget(),
    )


class EffectsField(RowsField):
    """Cleans the posted rows to the plain values a proposal stores (None: not posted).

    `obligations` (the picker's choices) is set by the form once it knows the target.
    """

    widget = EffectsWidget

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            "What the amendment does to its target's obligations, one row each. A move of "
            "“applies from” or “applies until” gives the new date; a new requirement, "
            "addressee or risk tier gives the new text (an addressee or tier by name, e.g. "
            "“deployer”, “high risk”); new penalties are listed under their row (none listed "
            "removes them); an ending or an addition gives nothing more: it takes effect with "
            "the amendment. The list of obligations is the target instrument's; if you change "
            "the target, propose once and the list follows it. Tick “Delete” to drop an effect.",
        )
        super().__init__(**kwargs)
        self.obligations: list[tuple[Any, str]] = obligation_choices(None)

    def set_obligations(self, choices: list[tuple[Any, str]]) -> None:
        self.obligations = choices
        self.widget.obligations = choices

    def clean(self, value: Any) -> list[dict[str, Any]] | None:
        if value is None:
            return None
        formset = _formset("effects", self.obligations, value)
        if not formset.is_valid():
            raise ValidationError(_messages(formset))
        items = [
            {
                "obligation": data["obligation"],
                "kind": data["kind"],
                "date": rows.plain(data["date"]),
                "text": data["text"],
                "penalties": data["penalties"],
            }
            for data in (form.cleaned_data for form in formset.forms)
            if data and not data.get("DELETE")
        ]
        seen: set[tuple[int, str]] = set()
        for item in items:
            key = (item["obligation"], item["kind"])
            if key in seen:
                raise ValidationError(
                    "Two rows do the same to one obligation: keep one row per obligation "
                    "and kind of effect."
                )
            seen.add(key)
        return self.ordered(items)

    def ordered(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(items, key=effect_order)


def _messages(formset) -> list[str]:
    out = list(formset.non_form_errors())
    for number, form in enumerate(formset.forms, start=1):
        for name, errors in form.errors.items():
            where = f"Effect {number}" + (f", {form[name].label}" if name != "__all__" else "")
            out.extend(f"{where}: {error}" for error in errors)
    return out


def effect_order(item: dict[str, Any]) -> tuple[str, str]:
    """Effects in one order (obligation, then kind), so equal lists compare equal."""
    return (str(item["obligation"]), item["kind"])


def initial_effects(amendment) -> list[dict[str, Any]]:
    """The live effects in the plain form the field cleans to."""
    child = rows.kind("amendment").child("effects")
    return sorted(
        (rows.child_snapshot(child, effect) for effect in amendment.effects.all()),
        key=effect_order,
    )
