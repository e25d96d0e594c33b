"""An instrument's page (apps/portal/views.py): the export links carry the filters it
accepted and leave out those it refused, and a day that is no date is said to be one
(a page kept or computed: tests/portal/test_read_cache.py)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.django_db

ACT = "/instruments/eu-ai-act/"


def _export_links(response) -> list[dict[str, list[str]]]:
    html = response.content.decode().replace("&amp;", "&")
    links = re.findall(r'href="(/instruments/eu-ai-act/export/\?[^"]*)"', html)
    assert len(links) == 2  # CSV and XLSX
    return [parse_qs(urlsplit(link).query) for link in links]


def test_the_export_links_carry_every_accepted_filter_and_no_refused_one(signed_in):
    asked = {"addressee": "deployer", "risk_tier": "high", "applies_after": "soon"}
    response = signed_in.get(ACT, asked)
    assert response.status_code == 400  # the bad day is refused beside its field
    for query in _export_links(response):
        assert query.pop("as") in (["csv"], ["xlsx"])
        assert query == {"addressee": ["deployer"], "risk_tier": ["high"]}


def test_without_filters_the_export_links_ask_only_for_the_format(signed_in):
    for query in _export_links(signed_in.get(ACT)):
        assert set(query) == {"as"}


@pytest.mark.parametrize(("as_of", "said"), [("2025-02-30", True), ("", False)])
def test_a_day_that_is_no_date_is_said_to_be_one_and_an_empty_one_is_not(signed_in, as_of, said):
    response = signed_in.get(ACT, {"as_of": as_of})
    assert response.status_code == 200
    assert ("Enter a date as YYYY-MM-DD." in response.content.decode()) is said
