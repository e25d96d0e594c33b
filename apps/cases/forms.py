"""Forms editors use to propose changes from the case page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.models import modelform_factory

from apps.cases import rows
from apps.instruments.models import Scheme


def proposal_form_class(target: str) -> type[forms.ModelForm]:
    names = [f.name for f in rows.fields_of(target)] + ["citations"]
    base = IdentifiersMixin if target == "instrument" else forms.ModelForm
    return modelform_factory(rows.model_of(target), form=base, fields=names)


class IdentifiersMixin(forms.ModelForm):
    """Identifiers ride along with an instrument as 'scheme value' lines."""

    identifiers = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="One per line: scheme and value, e.g. 'celex 32024R1689'. "
        f"Schemes: {', '.join(Scheme.values)}.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["identifiers"] = "\n".join(
                f"{i.scheme} {i.value}" for i in self.instance.identifiers.all()
            )

    def clean_identifiers(self) -> list[dict[str, str]]:
        # Scheme and value only: an identifier that stays keeps its provenance,
        # a new one gets the default ("added by the editors").
        parsed = []
        for number, line in enumerate(self.cleaned_data["identifiers"].splitlines(), start=1):
            if not line.strip():
                continue
            scheme, _, value = line.strip().partition(" ")
            if scheme not in Scheme.values or not value.strip():
                raise forms.ValidationError(
                    f"Line {number}: write a known scheme, a space, then the value."
                )
            parsed.append({"scheme": scheme, "value": value.strip()})
        return parsed


def proposal_values(target: str, form: forms.ModelForm, *, new: bool) -> dict[str, Any]:
    """The cleaned form as the plain values a ProposedChange stores.

    For an existing row only what the editor touched: a field left as it was
    is not part of the proposal, so applying it cannot rewrite that field.
    """
    touched = set(form.changed_data)
    values: dict[str, Any] = {}
    for field in rows.fields_of(target):
        if new or field.name in touched:
            values[field.name] = rows.plain(form.cleaned_data.get(field.name))
    if new or "citations" in touched:
        values["citations"] = sorted(c.pk for c in form.cleaned_data.get("citations", []))
    if target == "instrument" and (new or "identifiers" in touched):
        values["identifiers"] = form.cleaned_data.get("identifiers", [])
    return values


class CommentForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=10000)
