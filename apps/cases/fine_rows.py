"""The fines a duty names as punishing its breach, picked on the obligation's proposal
form (the registry's child "fine_links", apps.obligations.fine_links).

The choices are the rows of the duty's instrument that carry a penalty: a link to any
other row is refused by the model anyway, so the form offers none. A link kept keeps its
citations (the write path completes an item from the live one by its fine).
"""

from __future__ import annotations

from typing import Any

from django import forms

from apps.obligations.models import Obligation


class FinesField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Punished by")
        kwargs.setdefault(
            "help_text",
            "The penalty provisions of this instrument whose fine punishes a breach of this "
            "duty, as a source says; cite it in the citations.",
        )
        super().__init__(queryset=Obligation.objects.none(), **kwargs)

    def set_instrument(self, instrument_id: int | None, duty_id: int | None) -> None:
        rows = Obligation.objects.published().none()
        if instrument_id is not None:
            rows = (
                Obligation.objects.published()
                .filter(instrument_id=instrument_id, penalties__isnull=False)
                .exclude(pk=duty_id)
                .distinct()
                .order_by("provision", "key")
            )
        self.queryset = rows

    def label_from_instance(self, obj: Obligation) -> str:
        return f"{obj.provision}: {obj.key}"

    def has_changed(self, initial: Any, data: Any) -> bool:
        before = {int(getattr(v, "pk", v)) for v in initial or []}
        return {int(v) for v in data or []} != before


def initial_fines(duty: Obligation) -> list[int]:
    return sorted(link.fine_id for link in duty.fine_links.all())


def fine_items(picked) -> list[dict[str, int]]:
    """The picked rows as the child's items (its natural key is the fine)."""
    return [{"fine": row.pk} for row in picked or []]
