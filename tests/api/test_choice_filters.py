"""The choice filters of the API's lists, as apps/api/filters.py's `_choice` builds them.

The lists' filter classes call `_choice` once, when their module is imported; these
tests build filters with it themselves, so that what it promises (the field it reads,
a method instead when one is named, the parameter's help, and a refusal that names
every allowed value) is checked each time it runs, not only as it ran at import.
"""

from __future__ import annotations

import django_filters as df
import pytest

from apps.api.filters import _choice
from apps.instruments.models import Instrument, LegalForce
from apps.jurisdictions.models import Jurisdiction
from apps.jurisdictions.models import Kind as JurisdictionKind

pytestmark = pytest.mark.django_db


def filters(**declared) -> type[df.FilterSet]:
    """A filter set over `model` with the filters given, built when a test asks (not at
    import, which would build them before a changed `_choice` can be checked)."""
    model = declared.pop("model")
    meta = type("Meta", (), {"model": model, "fields": []})
    return type("Filters", (df.FilterSet,), {**declared, "Meta": meta})


def by_kind() -> type[df.FilterSet]:
    kind = _choice(JurisdictionKind.choices, "Country, subnational unit, forum ...")
    return filters(model=Jurisdiction, kind=kind)


def by_force() -> type[df.FilterSet]:
    # Named apart from the field it reads, as the jurisdiction list's `approach` is.
    force = _choice(LegalForce.choices, "Binding or soft law.", "legal_force")
    return filters(model=Instrument, force=force)


def by_hand() -> type[df.FilterSet]:
    # A method named: the value is the method's to use, the field is not filtered.
    def keep_countries(self, queryset, name, value):
        return queryset.filter(kind=JurisdictionKind.COUNTRY)

    kind = _choice(JurisdictionKind.choices, "Read by the view.", method="keep_countries")
    return filters(model=Jurisdiction, kind=kind, keep_countries=keep_countries)


def test_a_choice_keeps_the_rows_whose_field_holds_it():
    found = by_kind()({"kind": "forum"}, queryset=Jurisdiction.objects.all()).qs
    assert set(found) == set(Jurisdiction.objects.filter(kind="forum"))
    assert found.exists()


def test_a_choice_named_apart_from_its_field_reads_the_field_it_names():
    found = by_force()({"force": "soft_law"}, queryset=Instrument.objects.all()).qs
    assert set(found) == set(Instrument.objects.filter(legal_force="soft_law"))
    assert found.exists() and found.count() < Instrument.objects.count()


def test_a_choice_with_a_method_leaves_the_filtering_to_the_method():
    found = by_hand()({"kind": "forum"}, queryset=Jurisdiction.objects.all()).qs
    assert set(found) == set(Jurisdiction.objects.filter(kind="country"))


def test_a_value_outside_the_choices_is_refused_naming_every_allowed_value():
    asked = by_kind()({"kind": "planet"}, queryset=Jurisdiction.objects.all())
    assert not asked.is_valid()
    allowed = ", ".join(JurisdictionKind.values)
    assert asked.errors["kind"] == [f"unknown value 'planet'; use one of {allowed}"]


def test_a_choice_carries_its_help_for_the_api_schema():
    # drf-spectacular describes the list's query parameter with this text.
    assert by_kind().base_filters["kind"].extra["help_text"] == (
        "Country, subnational unit, forum ..."
    )
