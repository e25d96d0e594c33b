"""Forms editors use to propose changes from the case page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import ForeignKey, ManyToManyField
from django.forms.models import modelform_factory
from django.utils.text import capfirst

from apps.cases import effects as effect_rules
from apps.cases.child_rows import EVENTS, MEMBERSHIPS, PARTIES, TABLES, ChildRowsField, live_items
from apps.cases.effect_rows import EffectsField, initial_effects, obligation_choices
from apps.cases.fine_rows import FinesField, fine_items, initial_fines
from apps.cases.row_pickers import RowKeyField, RowKeysField, kind_of
from apps.cases.widgets import (
    MEDIA_CSS,
    ConditionsField,
    PartialDateField,
    PenaltiesField,
    RowPickerWidget,
    partial_initial,
)
from apps.instruments.models import Scheme
from apps.record import rows


def partial_dates(target: str) -> list[str]:
    """The row's dates stored with a precision (`x` beside `x_precision`)."""
    names = {f.name for f in rows.fields_of(target)}
    return [name for name in names if f"{name}_precision" in names]


def proposal_form_class(target: str) -> type[forms.ModelForm]:
    dates = partial_dates(target)
    precisions = {f"{name}_precision" for name in dates}
    names = [f.name for f in rows.fields_of(target) if f.name not in precisions] + ["citations"]
    base = {
        "instrument": IdentifiersMixin,
        "jurisdiction": MembershipsMixin,
        "obligation": PenaltiesMixin,
        "amendment": EffectsMixin,
    }.get(target, ProposalForm)
    model = rows.model_of(target)
    fields = {
        name: PartialDateField(
            label=capfirst(model._meta.get_field(name).verbose_name),
            required=not model._meta.get_field(name).null,
            **_date_help(model._meta.get_field(name)),
        )
        for name in dates
    }
    form = type(f"{model.__name__}ProposalForm", (base,), {**fields, "partial_dates": dates})
    return modelform_factory(
        model,
        form=form,
        fields=names,
        formfield_callback=_formfield,
    )


def _date_help(field) -> dict[str, str]:
    # What an empty date means (an amendment's: pending) matters as much as its format.
    if not field.help_text:
        return {}
    return {"help_text": f"{field.help_text} {PartialDateField.FORMATS}"}


def _formfield(field, **kwargs: Any) -> forms.Field | None:
    # A relation to a large table (instruments, citations, jurisdictions) is searched,
    # never listed (apps.cases.row_pickers); any other is a short list with a filter.
    kind = kind_of(field.related_model) if field.is_relation else None
    if kind is not None and isinstance(field, ForeignKey):
        kwargs.update(form_class=RowKeyField, kind=kind.name)
    elif kind is not None and isinstance(field, ManyToManyField):
        kwargs.update(form_class=RowKeysField, kind=kind.name)
    elif isinstance(field, ForeignKey) and "widget" not in kwargs:
        kwargs["widget"] = RowPickerWidget()
    # Long texts wrap in a box that fits a laptop screen beside their labels.
    formfield = field.formfield(**kwargs)
    if isinstance(formfield, forms.CharField) and isinstance(formfield.widget, forms.Textarea):
        formfield.widget.attrs.update({"cols": 60, "rows": 4})
    elif isinstance(formfield, forms.CharField) and isinstance(formfield.widget, forms.TextInput):
        formfield.widget.attrs.setdefault("size", 60)
    elif formfield is not None and isinstance(formfield.widget, forms.DateInput):
        formfield.widget.attrs.setdefault("size", 10)
    return formfield


class ProposalForm(forms.ModelForm):
    """A proposal form: partial dates in one box each, model errors beside their field."""

    partial_dates: list[str] = []

    class Media:
        css = MEDIA_CSS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Bound forms too: what changed is measured against these.
        for name in self.partial_dates:
            if self.instance.pk:
                self.initial[name] = partial_initial(self.instance, name)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name in self.partial_dates:
            if name not in cleaned:
                continue  # its own error is already shown beside it
            when = cleaned[name]
            cleaned[name] = when.start if when else None
            cleaned[f"{name}_precision"] = when.precision if when else ""
            # Not a form field, so the instance validated next gets it from here.
            setattr(self.instance, f"{name}_precision", cleaned[f"{name}_precision"])
        return cleaned

    def _update_errors(self, errors: ValidationError) -> None:
        # A model rule about one field ("effective_on: a month-precision date falls on
        # the 1st.") goes beside that field, said once, without the raw column name.
        if hasattr(errors, "error_dict"):
            errors = ValidationError(self._beside_fields(errors.error_dict))
        super()._update_errors(errors)

    def _beside_fields(self, by_field: dict[str, list[ValidationError]]) -> dict[str, list]:
        out: dict[str, list[str]] = {}
        for name, items in by_field.items():
            for message in ValidationError(items).messages:
                column, named, rest = message.partition(": ")
                column = column.removesuffix("_precision")
                where, text = (column, rest) if named and column in self.fields else (name, message)
                if text not in out.setdefault(where, []):
                    out[where].append(text)
        return out


class PenaltiesMixin(ProposalForm):
    """An obligation's penalties and conditions ride along with it (the registry's children)."""

    penalties = PenaltiesField()
    conditions = ConditionsField()
    fine_links = FinesField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fine_links"].set_instrument(self._instrument(), self.instance.pk)
        if self.instance.pk:
            self.initial["fine_links"] = initial_fines(self.instance)
        if self.instance.pk:
            conditions = rows.kind("obligation").child("conditions")
            self.initial["conditions"] = [
                rows.child_snapshot(conditions, c) for c in self.instance.conditions.all()
            ]
            child = rows.kind("obligation").child("penalties")
            self.initial["penalties"] = sorted(
                (rows.child_snapshot(child, p) for p in self.instance.penalties.all()),
                key=lambda item: item["applies_to"],
            )

    def _instrument(self) -> int | None:
        """The duty's instrument: as posted, else as given or as it is."""
        raw = self.data.get(self.add_prefix("instrument")) if self.is_bound else None
        raw = raw if raw not in (None, "") else self.initial.get("instrument")
        if raw in (None, ""):
            return self.instance.instrument_id
        return self.fields["instrument"].pk_of(raw)


class EffectsMixin(ProposalForm):
    """An amendment's effects ride along with it (the registry's child "effects"), each on
    one published obligation of the target, checked by the model's rules (apps.cases.effects)."""

    effects = EffectsField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["effects"].set_obligations(obligation_choices(self._target()))
        if self.instance.pk:
            self.initial["effects"] = initial_effects(self.instance)

    def _target(self) -> int | None:
        """The target the editor is choosing: as posted, else as given or as it is."""
        name = "target_instrument"
        raw = self.data.get(self.add_prefix(name)) if self.is_bound else self.initial.get(name)
        if raw in (None, ""):
            return self.instance.target_instrument_id
        # A slug as typed or picked, or an id (a record page's link gives one).
        return self.fields[name].pk_of(raw)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        items, target = cleaned.get("effects"), cleaned.get("target_instrument")
        if items and target is not None:
            try:
                effect_rules.check(items, target.pk)
            except ValidationError as exc:
                self.add_error("effects", exc.message_dict["effects"])
        return cleaned


class ChildTablesMixin(ProposalForm):
    """Child rows as tables (apps.cases.child_rows): the live ones shown, to correct."""

    tables: tuple = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for table in self.tables:
            if self.instance.pk:
                self.initial[table.related] = live_items(table, self.instance)
            self.fields[table.related].show(self.initial.get(table.related) or [])


class MembershipsMixin(ChildTablesMixin):
    """A group's members over time ride along with the jurisdiction."""

    memberships = ChildRowsField(MEMBERSHIPS)
    tables = (MEMBERSHIPS,)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.instance.pk and any(
            m["member"] == self.instance.pk for m in cleaned.get("memberships") or []
        ):
            self.add_error("memberships", "A jurisdiction cannot be a member of itself.")
        return cleaned


class IdentifiersMixin(ChildTablesMixin):
    """Identifiers ride along with an instrument as 'scheme value' lines; its events and
    parties as tables of rows."""

    identifiers = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="One per line: scheme and value, e.g. 'celex 32024R1689'. "
        f"Schemes: {', '.join(Scheme.values)}.",
    )
    events = ChildRowsField(EVENTS)
    parties = ChildRowsField(PARTIES)
    tables = (EVENTS, PARTIES)

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
    # A date and its precision travel together.
    touched |= {
        f"{name}_precision" for name in getattr(form, "partial_dates", ()) if name in touched
    }
    values: dict[str, Any] = {}
    for field in rows.fields_of(target):
        if new or field.name in touched:
            values[field.name] = rows.plain(form.cleaned_data.get(field.name))
    if new or "citations" in touched:
        values["citations"] = sorted(c.pk for c in form.cleaned_data.get("citations", []))
    if target == "instrument" and (new or "identifiers" in touched):
        values["identifiers"] = form.cleaned_data.get("identifiers", [])
    for table in TABLES.get(target, ()):
        if new or table.related in touched:
            values[table.related] = form.cleaned_data.get(table.related) or []
    if target == "obligation" and (new or "conditions" in touched):
        values["conditions"] = form.cleaned_data.get("conditions") or []
    if target == "obligation" and (new or "penalties" in touched):
        values["penalties"] = form.cleaned_data.get("penalties") or []
    if target == "obligation" and (new or "fine_links" in touched):
        values["fine_links"] = fine_items(form.cleaned_data.get("fine_links"))
    if target == "amendment" and (new or "effects" in touched):
        values["effects"] = form.cleaned_data.get("effects") or []
    return values


def refuse_into(form: forms.Form, exc: ValidationError) -> None:
    """A service's refusal shown on the form: each message beside the field it names
    (else above the form, naming its key), the fields keeping what was typed."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, items in exc.message_dict.items():
        if name in form.fields:
            form.add_error(name, items)
        elif name == NON_FIELD_ERRORS:
            form.add_error(None, items)
        else:
            form.add_error(None, [f"{name.replace('_', ' ')}: {m}" for m in items])


class CommentForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=10000)
