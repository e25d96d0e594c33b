"""`jurisdiction=` with `jurisdiction_scope=` (apps/api/filters.py's jurisdictions_in_scope):
a parent's, a group's and a member's law, on the day `as_of` names (today by default).

The expected sets come from the membership and instrument tables; the seed's dates
(GB left the EU on 2020-01-31, DK joined on 1973-01-01, AE joined BRICS on
2024-01-01) give the boundaries.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction
from tests.api.filtered import INSTRUMENTS, OBLIGATIONS, all_rows, groups_of, ids, members_of, slugs

pytestmark = pytest.mark.django_db

# -- jurisdiction= with jurisdiction_scope= -------------------------------------------


def test_jurisdiction_alone_is_its_own_law_only(api):
    assert ids(api, INSTRUMENTS, {"jurisdiction": "US"}) == slugs(jurisdiction__code="US")


def test_subdivisions_scope_adds_the_states_law(api):
    states = set(Jurisdiction.objects.filter(parent__code="US").values_list("code", flat=True))
    assert states
    found = ids(api, INSTRUMENTS, {"jurisdiction": "US", "jurisdiction_scope": "subdivisions"})
    assert found == slugs(jurisdiction__code__in={"US"} | states)


def test_subdivisions_scope_reaches_grandchildren(api):
    county = Jurisdiction.objects.create(
        code="US-CA-SF",
        name="San Francisco",
        kind="subnational",
        parent=Jurisdiction.objects.get(code="US-CA"),
    )
    law = Instrument.objects.filter(jurisdiction__code="US-CA").first()
    Instrument.objects.filter(pk=law.pk).update(jurisdiction=county)
    found = ids(api, INSTRUMENTS, {"jurisdiction": "US", "jurisdiction_scope": "subdivisions"})
    assert law.slug in found


def test_memberships_scope_adds_the_law_of_every_group_a_member_is_in_today(api):
    groups = groups_of("FR", timezone.localdate())
    assert {"EU", "G7", "G20"} <= groups
    found = ids(api, INSTRUMENTS, {"jurisdiction": "FR", "jurisdiction_scope": "memberships"})
    assert found == slugs(jurisdiction__code__in={"FR"} | groups)


def test_memberships_scope_stops_at_the_groups_a_member_belongs_to_directly(api):
    # FR is in the EU, the EU in the G7; the G7's law reaches FR because FR is a member
    # itself, not through the EU, so NL (EU only) gets no G7 law.
    found = ids(api, INSTRUMENTS, {"jurisdiction": "NL", "jurisdiction_scope": "memberships"})
    assert found == slugs(jurisdiction__code__in={"NL"} | groups_of("NL", timezone.localdate()))
    assert not found & slugs(jurisdiction__code="G7")


@pytest.mark.parametrize(
    ("as_of", "bound"),
    [("2020-01-30", True), ("2020-01-31", False), (None, False)],  # GB left on 2020-01-31
)
def test_memberships_scope_follows_the_day_a_member_left(api, as_of, bound):
    params = {"jurisdiction": "GB", "jurisdiction_scope": "memberships"}
    if as_of:
        params["as_of"] = as_of
    found = ids(api, INSTRUMENTS, params)
    eu_law = slugs(jurisdiction__code="EU")
    assert (eu_law <= found) is bound and (not found & eu_law) is not bound
    assert slugs(jurisdiction__code="GB") <= found


@pytest.mark.parametrize(("as_of", "bound"), [("1972-12-31", False), ("1973-01-01", True)])
def test_memberships_scope_follows_the_day_a_member_joined(api, as_of, bound):
    # DK joined the EU on 1973-01-01 (seed).
    params = {"jurisdiction": "DK", "jurisdiction_scope": "memberships", "as_of": as_of}
    found = ids(api, INSTRUMENTS, params)
    assert (slugs(jurisdiction__code="EU") <= found) is bound


def test_members_scope_adds_the_law_of_every_member(api):
    members = members_of("BRICS", timezone.localdate())
    found = ids(api, INSTRUMENTS, {"jurisdiction": "BRICS", "jurisdiction_scope": "members"})
    assert found == slugs(jurisdiction__code__in={"BRICS"} | members)


@pytest.mark.parametrize(("as_of", "ae_in"), [("2023-12-31", False), ("2024-01-01", True)])
def test_members_scope_counts_the_members_of_the_day(api, as_of, ae_in):
    # AE joined BRICS on 2024-01-01 (seed).
    params = {"jurisdiction": "BRICS", "jurisdiction_scope": "members", "as_of": as_of}
    found = ids(api, INSTRUMENTS, params)
    day = dt.date.fromisoformat(as_of)
    assert found == slugs(jurisdiction__code__in={"BRICS"} | members_of("BRICS", day))
    assert (slugs(jurisdiction__code="AE") <= found) is ae_in


def test_an_unknown_or_retired_jurisdiction_lists_nothing_whatever_the_scope(api):
    for scope in ("exact", "subdivisions", "memberships", "members"):
        params = {"jurisdiction": "ATLANTIS", "jurisdiction_scope": scope}
        assert ids(api, INSTRUMENTS, params) == set()
    Jurisdiction.objects.filter(code="EU").update(retired_at=timezone.now())
    assert ids(api, INSTRUMENTS, {"jurisdiction": "EU", "jurisdiction_scope": "members"}) == set()


def test_obligation_jurisdiction_scope_reaches_through_its_instrument(api):
    law = slugs(jurisdiction__code__in={"FR"} | groups_of("FR", timezone.localdate()))
    every = all_rows(api, OBLIGATIONS)
    expected = {row["id"] for row in every if row["instrument"] in law}
    assert expected
    params = {"jurisdiction": "FR", "jurisdiction_scope": "memberships"}
    assert ids(api, OBLIGATIONS, params) == expected


def test_a_retired_instrument_stays_out_of_a_scoped_list(api):
    retired = Instrument.objects.get(slug="eu-ai-act")
    Instrument.objects.filter(pk=retired.pk).update(retired_at=timezone.now())
    params = {"jurisdiction": "FR", "jurisdiction_scope": "memberships", "topic": "transparency"}
    found = ids(api, INSTRUMENTS, params)
    assert "eu-ai-act" not in found
    codes = {"FR"} | groups_of("FR", timezone.localdate())
    assert found == slugs(jurisdiction__code__in=codes, topics__contains=["transparency"])
