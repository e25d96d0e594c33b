"""The portal's pages: who may see them, what they show, what they cost in queries."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.cases import services
from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction
from apps.record import services as record
from apps.record.services import Why
from tests.helpers import case_proposing, write

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/search/?q=liability",
    "/instruments/eu-ai-liability-directive/",
    "/jurisdictions/EU/",
    "/compare/?j=EU&j=CN",
    "/watchlist/",
    "/report/?page=/",
    "/what-applies/?markets=DE&role=provider&risk_tier=gpai&on=2025-09-01",
]


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.mark.parametrize("url", PAGES)
def test_a_newcomer_is_asked_to_sign_in_first(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_home_page_is_the_first_page_after_signing_in(client, reader):
    response = client.post(
        "/accounts/login/", {"username": "reader", "password": "pw-reader-123"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/"
    assert "What changed in AI regulation" in _text(response)


def test_home_says_what_changed_in_plain_words(signed_in):
    text = _text(signed_in.get("/"))
    assert "(AI Liability Directive): now withdrawn (was: proposed), since 6 October 2025" in text


def test_the_instrument_page_shows_status_timeline_and_the_state_on_a_day(signed_in):
    page = _text(signed_in.get("/instruments/eu-ai-liability-directive/"))
    assert "withdrawn since 6 Oct 2025" in page
    assert "2025-02-11 withdrawal announced" in page
    assert "In effect: Withdrawal of Commission proposals" in page
    earlier = _text(
        signed_in.get("/instruments/eu-ai-liability-directive/", {"as_of": "2025-01-01"})
    )
    assert "proposed since 28 Sep 2022 on 1 Jan 2025" in earlier


def test_the_instrument_page_lists_obligations_with_penalties(signed_in):
    page = _text(signed_in.get("/instruments/eu-ai-act/"))
    assert "EUR 35 million or 7% of worldwide annual turnover" in page


def test_a_bad_as_of_date_says_so_and_shows_today(signed_in):
    response = signed_in.get("/instruments/eu-ai-act/", {"as_of": "soon"})
    assert response.status_code == 200
    assert "Enter a date as YYYY-MM-DD." in _text(response)


def test_the_jurisdiction_page_tells_no_law_from_not_tracked(signed_in):
    eu = _text(signed_in.get("/jurisdictions/EU/"))
    assert "Instruments by status" in eu and "Members over time" in eu
    andorra = _text(signed_in.get("/jurisdictions/AD/"))
    assert "Not tracked: the record does not say whether it has AI rules." in andorra


def test_the_jurisdiction_timeline_chart_has_a_text_alternative(signed_in):
    html = signed_in.get("/jurisdictions/EU/").content.decode()
    assert '<svg viewBox="0 0 ' in html and 'role="img"' in html
    assert "The timeline as a table" in html


def test_compare_sets_jurisdictions_side_by_side(signed_in):
    text = _text(signed_in.get("/compare/", {"j": ["EU", "CN"]}))
    assert "Binding law in force" in text and "Highest penalty and its source" in text
    assert "EUR 35 million or 7% of worldwide annual turnover" in text
    too_few = _text(signed_in.get("/compare/", {"j": ["EU"]}))
    assert "Choose at least two different jurisdictions." in too_few


def test_unknown_rows_are_404(signed_in):
    assert signed_in.get("/instruments/no-such-law/").status_code == 404
    assert signed_in.get("/jurisdictions/ATLANTIS/").status_code == 404


@pytest.fixture
def unpublished(cast):
    """An open case proposing a new instrument and an edit; a retired instrument with an
    obligation (news of its retirement is on the home page, so it has a name of its own:
    "Zz gone order")."""
    act = Instrument.objects.get(slug="eu-ai-act")
    case = case_proposing(cast["editor"], act, {"summary": "Zz secret summary"}, title="Secret")
    services.change_propose(
        case=case,
        actor=cast["editor"],
        target="instrument",
        action="create",
        values={
            "slug": "zz-secret-order",
            "title": "Zz secret order",
            "kind": "executive_order",
            "jurisdiction": {"code": "US"},
            "legal_force": "binding",
        },
    )
    gone = write(
        "instrument",
        {
            "slug": "zz-gone-order",
            "title": "Zz gone order",
            "kind": "executive_order",
            "jurisdiction": Jurisdiction.objects.get(code="US").pk,
            "legal_force": "binding",
        },
    )
    duty = {"instrument": gone.pk, "key": "zz-gone-duty", "provision": "Section 1"}
    write("obligation", {**duty, "addressee": "provider", "requirement": "Zz gone duty."})
    record.write(target="instrument", action="retire", row=gone, why=Why.system("test"))
    return case


@pytest.mark.parametrize("who", ["reader", "staff", "editor", "reviewer"])
def test_no_role_sees_unpublished_work_on_any_page(client, cast, reader, unpublished, who):
    client.force_login(reader if who == "reader" else cast[who])
    for url in [*PAGES, "/search/?q=zz", "/instruments/eu-ai-act/", "/jurisdictions/US/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "zz secret" not in response.content.decode().lower(), url
    assert client.get("/instruments/zz-secret-order/").status_code == 404
    # The retired instrument: no page, and no search, list or export names it.
    assert client.get("/instruments/zz-gone-order/").status_code == 404
    assert client.get("/instruments/zz-gone-order/export/").status_code == 404
    for url in [
        "/search/?jurisdiction=US",
        "/search/?q=gone",
        "/search/export/?jurisdiction=US",
        "/jurisdictions/US/",
        "/compare/?j=US&j=EU",
    ]:
        assert "zz gone" not in client.get(url).content.decode().lower(), url


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("few", "many"),
    [
        ("/search/?q=act&sort=title&kind=regulation", "/search/?q=act&sort=title"),
        ("/compare/?j=EU&j=CN", "/compare/?j=EU&j=CN&j=US&j=IN&j=SA"),
        ("/jurisdictions/SG/", "/jurisdictions/EU/"),
        ("/what-applies/?markets=CN&role=provider", "/what-applies/?markets=DE,FR,US-CA"),
    ],
)
def test_queries_do_not_grow_with_the_rows_shown(signed_in, few, many):
    assert _queries(signed_in, few) >= _queries(signed_in, many) - 2


# Each count starts with the session and the user (2). Search: the exact
# identifier lookup, the jurisdictions, the count with every facet (one
# statement), the page's candidates (one statement), the page's ids in rank order
# and the page's rows; the facets' and the candidates' statements each come with
# a savepoint, its release and a SET LOCAL (apps.reading.facets._counts,
# apps.reading.search._candidates). Instrument: the
# row and one query per prefetched set.
@pytest.mark.parametrize(
    ("url", "pinned"),
    [
        ("/", 8),  # the seed's amendments with effects: their moves, in two queries
        ("/search/?q=act", 14),
        ("/search/?q=act&kind=regulation", 18),  # a chosen facet: its statement and its 3
        ("/instruments/eu-ai-act/", 17),  # the effects on its obligations: one more
        ("/jurisdictions/EU/", 9),
        # Compare: the lists (jurisdictions, topics), the chosen, the crosswalk's ten
        # (apps.reading.crosswalk) and the detail table's six (apps.reading.compare).
        ("/compare/?j=EU&j=CN&j=US", 21),
        # What applies: the reader's saved profiles, the jurisdictions (the form's
        # list), then the check's ten (apps.reading.applicability), whatever the duties.
        ("/what-applies/?markets=DE,FR,US-CA&role=provider&role=deployer&on=2026-09-01", 14),
    ],
)
def test_query_counts_are_pinned(signed_in, url, pinned):
    assert _queries(signed_in, url) == pinned
