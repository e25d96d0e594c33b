"""A jurisdiction's page (apps/portal/views.py's _jurisdiction): its published law grouped
by status, its place among groups and members, and its approach, as the tables say."""

from __future__ import annotations

import re

import pytest

from apps.instruments.models import Instrument
from apps.jurisdictions.models import Approach, Membership

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_law_is_grouped_by_status_in_alphabetical_order_each_by_title(signed_in):
    html = signed_in.get("/jurisdictions/US/").content.decode()
    shown = [
        (label, re.findall(r'<li><a href="/instruments/([^/]+)/">', rows))
        for label, rows in re.findall(r"<h3>([^<]+) \(\d+\)</h3>\s*<ul>(.*?)</ul>", html, re.S)
    ]
    law = Instrument.objects.published().filter(jurisdiction__code="US").order_by("title")
    groups: dict[str, list[str]] = {}
    for row in law:
        groups.setdefault(row.get_status_display(), []).append(row.slug)
    assert len(groups) > 1
    assert shown == [(label.capitalize(), slugs) for label, slugs in sorted(groups.items())]
    assert f"{len(law)} instruments recorded." in _text(signed_in.get("/jurisdictions/US/"))


def test_a_retired_instrument_is_not_counted_or_listed(signed_in):
    retired = Instrument.objects.published().filter(jurisdiction__code="US").first()
    before = Instrument.objects.published().filter(jurisdiction__code="US").count()
    Instrument.objects.filter(pk=retired.pk).update(retired_at="2025-01-01T00:00:00Z")
    text = _text(signed_in.get("/jurisdictions/US/"))
    assert f"{before - 1} instruments recorded." in text
    assert retired.title not in text


def test_a_subdivision_names_its_parent_and_a_member_its_groups(signed_in):
    assert "Subnational unit in United States" in _text(signed_in.get("/jurisdictions/US-CA/"))
    france = _text(signed_in.get("/jurisdictions/FR/"))
    groups = Membership.objects.filter(member__code="FR").select_related("group")
    assert groups
    for m in groups:
        assert m.group.name in france.split("Member of", 1)[1]


def test_a_groups_page_lists_its_members_with_the_days_they_joined_and_left(signed_in):
    text = _text(signed_in.get("/jurisdictions/EU/")).split("Members over time", 1)[1]
    # GB left the EU on 31 January 2020 (seed).
    assert "United Kingdom" in text and "31 Jan 2020" in text
    members = Membership.objects.filter(group__code="EU").select_related("member")
    assert all(m.member.name in text for m in members)


def test_the_approach_is_named_in_words(signed_in):
    text = _text(signed_in.get("/jurisdictions/EU/"))
    assert f"Approach {Approach.RISK_TIERED.label}" in text
