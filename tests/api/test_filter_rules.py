"""The list filters of apps/api/filters.py, each pinned over the seeded record.

Every expected set is computed here from the tables (or, for the obligation list's
derived values, from the unfiltered answer's own fields), never by calling the
filter code, so a filter that drifts from its rule changes the answer and fails.
The jurisdiction scopes are in tests/api/test_filter_scopes.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from apps.amendments.models import Amendment
from apps.amendments.models import Kind as AmendmentKind
from apps.instruments.models import Instrument, Scheme, Status
from apps.jurisdictions.models import Jurisdiction
from apps.jurisdictions.models import Kind as JurisdictionKind
from tests.api.filtered import (
    AMENDMENTS,
    INSTRUMENTS,
    JURISDICTIONS,
    OBLIGATIONS,
    all_rows,
    groups_of,
    ids,
    members_of,
    refusal,
    slugs,
)

pytestmark = pytest.mark.django_db

# -- member_of= ----------------------------------------------------------------------

# These found a real bug: every member_of= naming a published group answered 500
# (the list AND-ed with members_of(), a distinct query, which Django refuses).


def test_member_of_lists_a_groups_current_members_and_not_one_that_left(api):
    members = ids(api, JURISDICTIONS, {"member_of": "EU"})
    assert members == members_of("EU", timezone.localdate())
    assert "FR" in members and "GB" not in members  # GB left on 2020-01-31 (seed)
    assert "EU" not in members


def test_member_of_a_group_that_is_itself_a_member_lists_only_its_own_members(api):
    # The EU is a member of the G7: the G7's members are the EU, not the EU's members.
    members = ids(api, JURISDICTIONS, {"member_of": "G7"})
    assert members == members_of("G7", timezone.localdate())
    assert "EU" in members and "NL" not in members


@pytest.mark.parametrize("code", ["ATLANTIS", "eu", "EU,G7", "E U"])
def test_member_of_an_unknown_or_malformed_code_lists_nothing(api, code):
    assert ids(api, JURISDICTIONS, {"member_of": code}) == set()


def test_member_of_a_retired_group_lists_nothing(api):
    Jurisdiction.objects.filter(code="G7").update(retired_at=timezone.now())
    assert ids(api, JURISDICTIONS, {"member_of": "G7"}) == set()


def test_member_of_combines_with_kind(api):
    found = ids(api, JURISDICTIONS, {"member_of": "G7", "kind": "supranational"})
    expected = {
        code
        for code in members_of("G7", timezone.localdate())
        if Jurisdiction.objects.get(code=code).kind == "supranational"
    }
    assert found == expected == {"EU"}


# -- jurisdiction filters: approach, kind ---------------------------------------------


def test_approach_lists_the_jurisdictions_that_follow_it(api):
    expected = set(
        Jurisdiction.objects.published()
        .filter(approaches__contains=["risk_tiered"])
        .values_list("code", flat=True)
    )
    assert ids(api, JURISDICTIONS, {"approach": "risk_tiered"}) == expected == {"EU", "VN"}


def test_approach_combines_with_kind(api):
    found = ids(api, JURISDICTIONS, {"approach": "risk_tiered", "kind": "country"})
    assert found == {"VN"}


# -- choices: a bad value is a 400 naming what would be accepted ----------------------


@pytest.mark.parametrize(
    ("url", "parameter", "values"),
    [
        (JURISDICTIONS, "kind", JurisdictionKind.values),
        (INSTRUMENTS, "status", Status.values),
        (AMENDMENTS, "kind", AmendmentKind.values),
    ],
)
def test_a_value_outside_a_choice_is_refused_naming_every_allowed_value(
    api, url, parameter, values
):
    message = refusal(api.get(url, {parameter: "nearly"}), parameter)
    assert message == f"unknown value 'nearly'; use one of {', '.join(values)}"


def test_instrument_pillar_outside_its_choices_is_refused_naming_them(api):
    message = refusal(api.get(INSTRUMENTS, {"pillar": "vibes"}), "pillar")
    assert message == "unknown value 'vibes'; use one of data, algorithm, compute"


def test_obligation_pillar_outside_its_choices_is_refused_naming_them(api):
    message = refusal(api.get(OBLIGATIONS, {"pillar": "vibes"}), "pillar")
    assert message == "use one of data, algorithm, compute"


# -- topic=, pillar=, identifier= -----------------------------------------------------


def test_topic_lists_the_instruments_tagged_with_it(api):
    expected = slugs(topics__contains=["transparency"])
    assert len(expected) > 1
    assert ids(api, INSTRUMENTS, {"topic": "transparency"}) == expected


def test_obligation_topic_is_its_instruments_topic(api):
    tagged = slugs(topics__contains=["transparency"])
    every = all_rows(api, OBLIGATIONS)
    expected = {row["id"] for row in every if row["instrument"] in tagged}
    assert expected and expected != {row["id"] for row in every}
    assert ids(api, OBLIGATIONS, {"topic": "transparency"}) == expected


def test_an_unknown_topic_lists_nothing(api):
    assert ids(api, INSTRUMENTS, {"topic": "astrology"}) == set()


@pytest.mark.parametrize("pillar", ["data", "algorithm", "compute"])
def test_pillar_lists_the_instruments_addressing_it(api, pillar):
    assert ids(api, INSTRUMENTS, {"pillar": pillar}) == slugs(pillars__contains=[pillar])


def test_obligation_pillar_lists_the_obligations_addressing_it(api):
    every = all_rows(api, OBLIGATIONS)
    expected = {row["id"] for row in every if "compute" in row["pillars"]}
    assert expected and expected != {row["id"] for row in every}
    assert ids(api, OBLIGATIONS, {"pillar": "compute"}) == expected


def test_identifier_matches_its_value_whatever_the_case(api):
    assert ids(api, INSTRUMENTS, {"identifier": "celex:32024r1689"}) == {"eu-ai-act"}
    assert ids(api, INSTRUMENTS, {"identifier": "celex:32024R1689"}) == {"eu-ai-act"}


def test_identifier_of_a_known_scheme_and_unknown_value_lists_nothing(api):
    assert ids(api, INSTRUMENTS, {"identifier": "eo:1"}) == set()


def test_identifier_of_one_scheme_does_not_match_the_same_value_in_another(api):
    assert ids(api, INSTRUMENTS, {"identifier": "celex:14110"}) == set()
    assert ids(api, INSTRUMENTS, {"identifier": "eo:14110"}) == {"us-eo-14110"}


def test_identifier_splits_at_the_first_colon_so_an_eli_address_can_be_its_value(api):
    # An ELI is an address ("http://data.europa.eu/eli/..."), colon and all.
    eli = "eli:http://data.europa.eu/eli/reg/2024/1689/oj"
    assert ids(api, INSTRUMENTS, {"identifier": eli}) == {"eu-ai-act"}


@pytest.mark.parametrize("value", ["14110", "eo:", "galaxy:14110", ":14110", "EO:14110"])
def test_identifier_without_a_known_scheme_and_a_value_is_refused_naming_the_schemes(api, value):
    message = refusal(api.get(INSTRUMENTS, {"identifier": value}), "identifier")
    assert message == f"write scheme:value with a scheme among {', '.join(Scheme.values)}"


# -- source= on amendments ------------------------------------------------------------


def test_source_names_the_amending_instrument(api):
    expected = set(
        Amendment.objects.published()
        .filter(source_instrument__slug="us-eo-14148")
        .values_list("key", flat=True)
    )
    assert expected
    assert ids(api, AMENDMENTS, {"source": "us-eo-14148"}) == expected


def test_source_names_the_amending_jurisdiction(api):
    expected = set(
        Amendment.objects.published()
        .filter(source_jurisdiction__code="EU")
        .values_list("key", flat=True)
    )
    assert expected
    assert ids(api, AMENDMENTS, {"source": "EU"}) == expected


def test_an_unknown_source_lists_no_amendment(api):
    assert ids(api, AMENDMENTS, {"source": "atlantis"}) == set()


# -- updated_since= -------------------------------------------------------------------


def test_updated_since_keeps_the_rows_changed_at_or_after_the_instant(api):
    at = dt.datetime(2030, 5, 1, 12, 0, tzinfo=dt.UTC)
    Instrument.objects.filter(slug="eu-ai-act").update(updated_at=at)
    Instrument.objects.filter(slug="us-eo-14110").update(updated_at=at + dt.timedelta(days=1))
    assert ids(api, INSTRUMENTS, {"updated_since": "2030-05-01T12:00:00Z"}) == {
        "eu-ai-act",
        "us-eo-14110",
    }
    # The same instant written in another offset, and one second later.
    assert ids(api, INSTRUMENTS, {"updated_since": "2030-05-01T14:00:00+02:00"}) == {
        "eu-ai-act",
        "us-eo-14110",
    }
    assert ids(api, INSTRUMENTS, {"updated_since": "2030-05-01T12:00:01Z"}) == {"us-eo-14110"}


def test_updated_since_past_the_last_representable_instant_lists_nothing(api):
    assert ids(api, INSTRUMENTS, {"updated_since": "9999-12-31T23:00:00-18:00"}) == set()


def test_updated_since_before_the_first_representable_instant_lists_everything(api):
    found = ids(api, INSTRUMENTS, {"updated_since": "0001-01-01T00:00:00+18:00"})
    assert found == slugs()


# -- filters combine ------------------------------------------------------------------


def test_instrument_filters_combine_as_an_intersection(api):
    params = {
        "jurisdiction": "FR",
        "jurisdiction_scope": "memberships",
        "pillar": "data",
        "topic": "transparency",
    }
    codes = {"FR"} | groups_of("FR", timezone.localdate())
    expected = slugs(
        jurisdiction__code__in=codes, pillars__contains=["data"], topics__contains=["transparency"]
    )
    assert expected
    assert ids(api, INSTRUMENTS, params) == expected


def test_addressee_on_instruments_keeps_those_with_such_an_obligation(api):
    duties = all_rows(api, OBLIGATIONS)
    expected = {row["instrument"] for row in duties if row["addressee"] == "provider"}
    assert expected and expected != {row["instrument"] for row in duties}
    assert ids(api, INSTRUMENTS, {"addressee": "provider"}) == expected
    both = ids(api, INSTRUMENTS, {"addressee": "provider", "pillar": "compute"})
    assert both == expected & slugs(pillars__contains=["compute"])


def test_risk_tier_on_instruments_keeps_those_with_an_obligation_in_it(api):
    duties = all_rows(api, OBLIGATIONS)
    expected = {row["instrument"] for row in duties if row["risk_tier"] == "high"}
    assert expected
    assert ids(api, INSTRUMENTS, {"risk_tier": "high"}) == expected


def test_status_without_as_of_is_todays_status(api):
    expected = slugs(status=Status.IN_FORCE) & slugs(pillars__contains=["compute"])
    assert expected
    assert ids(api, INSTRUMENTS, {"status": "in_force", "pillar": "compute"}) == expected


# -- the obligation list's derived filters (wanted) -----------------------------------


def test_obligation_addressee_and_risk_tier_answer_on_the_listed_values(api):
    every = all_rows(api, OBLIGATIONS)
    providers = {row["id"] for row in every if row["addressee"] == "provider"}
    assert providers and providers != {row["id"] for row in every}
    assert ids(api, OBLIGATIONS, {"addressee": "provider"}) == providers
    high = {row["id"] for row in every if row["risk_tier"] == "high"}
    assert ids(api, OBLIGATIONS, {"risk_tier": "high"}) == high
    assert ids(api, OBLIGATIONS, {"addressee": "provider", "risk_tier": "high"}) == (
        providers & high
    )


def test_obligation_applies_from_range_answers_on_the_listed_dates(api):
    every = all_rows(api, OBLIGATIONS)
    start, end = dt.date(2025, 8, 2), dt.date(2026, 8, 2)
    expected = {
        row["id"]
        for row in every
        if row["applies_from"] and start <= dt.date.fromisoformat(row["applies_from"]) <= end
    }
    assert expected
    params = {"applies_from_from": start.isoformat(), "applies_from_to": end.isoformat()}
    assert ids(api, OBLIGATIONS, params) == expected


def test_status_on_a_day_combines_with_the_other_filters(api):
    # With as_of, status is the status on that day (the view derives it), still
    # narrowed by every other filter.
    day = {"as_of": "2025-01-01", "status": "proposed"}
    on_day = ids(api, INSTRUMENTS, day)
    found = ids(api, INSTRUMENTS, {**day, "jurisdiction": "EU"})
    assert "eu-ai-liability-directive" in found
    assert found == on_day & slugs(jurisdiction__code="EU")


def test_status_since_bounds_are_inclusive_days(api):
    day = Instrument.objects.get(slug="eu-ai-act").status_since
    assert day
    iso = day.isoformat()
    assert ids(api, INSTRUMENTS, {"status_since_from": iso}) == slugs(status_since__gte=day)
    assert ids(api, INSTRUMENTS, {"status_since_to": iso}) == slugs(status_since__lte=day)
    both = ids(api, INSTRUMENTS, {"status_since_from": iso, "status_since_to": iso})
    assert "eu-ai-act" in both and both == slugs(status_since=day)


def test_parent_lists_a_countrys_subdivisions(api):
    expected = set(
        Jurisdiction.objects.published().filter(parent__code="US").values_list("code", flat=True)
    )
    assert (
        ids(api, JURISDICTIONS, {"parent": "US"})
        == expected
        == {
            "US-CA",
            "US-CO",
            "US-TX",
            "US-NY",
            "US-IL",
        }
    )
