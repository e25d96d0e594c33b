"""The "What applies" page: the profile form, the three lists, the timeline, the
printable view and the exports (the check itself is tests/reading/test_applicability.py)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from apps.instruments.models import Instrument

pytestmark = pytest.mark.django_db

URL = "/what-applies/"
GPAI_PROVIDER = {"markets": "DE", "role": "provider", "risk_tier": "gpai", "on": "2025-09-01"}
GPAI = "eu-ai-act:article-53-gpai-provider-obligations"
SYSTEMIC = "eu-ai-act:article-55-gpai-systemic-risk"


def _sections(response) -> dict[str, str]:
    """The page's HTML cut at its three lists."""
    html = response.content.decode()
    applies = html.index('id="h-applies"')
    may = html.index('id="h-may"')
    upcoming = html.index('id="h-upcoming"')
    return {
        "applies": html[applies:may],
        "may apply": html[may:upcoming],
        "upcoming": html[upcoming:],
    }


def _ids(html: str) -> list[str]:
    return re.findall(r"<code>([a-z0-9-]+:[a-z0-9-]+)</code>", html)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_gpai_provider_in_de_gets_the_gpai_duties_under_applies_not_the_systemic_ones(
    signed_in,
):
    response = signed_in.get(URL, {**GPAI_PROVIDER, "training_compute_flop": "1e24"})
    assert response.status_code == 200
    lists = _sections(response)

    assert GPAI in _ids(lists["applies"])
    assert SYSTEMIC not in _ids(lists["applies"]) + _ids(lists["may apply"])
    applies = _text(lists["applies"])
    assert "European Union (EU; DE is a member of European Union)" in applies
    assert "Regulation (EU) 2024/1689" in applies  # grouped under its instrument
    assert "role: provider" in applies and "from 2 Aug 2025" in applies
    assert "EUR 15 million or 3% of worldwide annual turnover" in applies  # its penalty
    assert 'rel="noopener noreferrer"' in lists["applies"]  # its citations


def test_before_the_date_the_gpai_duties_are_on_the_timeline_with_their_date(signed_in):
    lists = _sections(signed_in.get(URL, {**GPAI_PROVIDER, "on": "2025-03-01"}))
    timeline = _text(lists["upcoming"].split('id="h-proposals"')[0])

    assert GPAI not in _ids(lists["applies"])
    assert "2 Aug 2025" in timeline and "Article 53 starts to apply on 2 August 2025." in timeline


def test_a_pending_proposal_stands_apart_from_the_timeline_labelled_as_not_in_effect(signed_in):
    from apps.obligations.models import Obligation
    from apps.record.services import Why, write

    act = Instrument.objects.get(slug="eu-ai-act")
    duty = Obligation.objects.get(instrument=act, key="article-26-deployer-obligations")
    why = Why.system("test")
    proposal = write(
        target="instrument",
        why=why,
        values={
            "slug": "test-delaying-proposal",
            "title": "Test delaying proposal",
            "kind": "regulation",
            "jurisdiction": act.jurisdiction_id,
            "legal_force": "binding",
        },
    ).row
    write(
        target="amendment",
        why=why,
        values={
            "key": "test-proposed-delay",
            "kind": "amends",
            "source_instrument": proposal.pk,
            "target_instrument": act.pk,
            "effective_on": None,
            "effective_on_precision": "",
            "provenance": "editorial",
            "effects": [
                {"obligation": duty.pk, "kind": "applies_from", "date": "2028-08-02", "text": ""}
            ],
        },
    )
    deployer = {"markets": "IT", "role": "deployer", "risk_tier": "high", "on": "2026-09-01"}
    upcoming = _sections(signed_in.get(URL, deployer))["upcoming"]
    timeline, proposals = upcoming.split('id="h-proposals"')

    assert "Test delaying proposal" not in timeline
    assert "Proposal:" in proposals
    assert "Test delaying proposal (proposed, not in effect) would change Article 26" in _text(
        proposals
    )


def test_a_blank_role_puts_the_duties_under_may_apply_naming_the_role(signed_in):
    lists = _sections(
        signed_in.get(URL, {"markets": "DE", "risk_tier": "gpai", "on": "2025-09-01"})
    )

    assert GPAI in _ids(lists["may apply"])
    assert GPAI not in _ids(lists["applies"])
    assert "role: not answered in the profile" in _text(lists["may apply"])


def test_markets_may_be_chosen_from_the_list_as_the_apis_parameter(signed_in):
    chosen = {**GPAI_PROVIDER, "markets": "", "market": "DE"}
    assert GPAI in _ids(_sections(signed_in.get(URL, chosen))["applies"])


@pytest.mark.parametrize(
    ("field", "typed", "error"),
    [
        ("markets", "DE, ATLANTIS", "No published jurisdiction has the code “ATLANTIS”."),
        ("users", "2.5", "Enter a whole number, 0 or more."),
        ("employees", "-3", "Enter a whole number, 0 or more."),
        ("training_compute_flop", "lots", "Enter a number of floating-point operations"),
        ("annual_revenue_usd", "-1", "Enter an amount of US dollars, 0 or more."),
        ("on", "soon", "Enter a day as YYYY-MM-DD."),
    ],
)
def test_bad_input_is_refused_beside_its_field_keeping_what_was_typed(
    signed_in, field, typed, error
):
    response = signed_in.get(URL, {**GPAI_PROVIDER, field: typed})
    html = response.content.decode()

    assert response.status_code == 200
    assert 'id="h-applies"' not in html  # no answer for a profile with an error
    assert f'id="id_{field}_error"' in html and error in _text(html)
    assert f'name="{field}" value="{typed}"' in html
    assert 'aria-invalid="true"' in html


def test_an_unknown_choice_is_refused_beside_its_field(signed_in):
    html = signed_in.get(URL, {**GPAI_PROVIDER, "role": "wizard"}).content.decode()
    assert 'id="id_role_error"' in html and "“wizard” is not one of the choices" in html


def test_the_blank_page_shows_only_the_form(signed_in):
    html = signed_in.get(URL).content.decode()
    assert 'name="markets"' in html and 'id="h-applies"' not in html
    assert 'href="/what-applies/" aria-current="page"' in html  # in the navigation


def test_the_page_marks_no_stored_text_safe(signed_in):
    from apps.record.services import Why, write

    act = Instrument.objects.get(slug="eu-ai-act")
    write(
        target="instrument",
        row=act,
        values={"title": "<script>alert(1)</script>"},
        base_version=act.version,
        why=Why.system("test: a hostile title"),
    )
    html = signed_in.get(URL, GPAI_PROVIDER).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_printable_view_has_the_answer_without_the_form(signed_in):
    response = signed_in.get(URL, {**GPAI_PROVIDER, "print": "1"})
    html = response.content.decode()

    assert "<form" not in html
    assert GPAI in _ids(html)
    assert "Roles provider" in _text(html) and "Markets DE" in _text(html)
    page = signed_in.get(URL, GPAI_PROVIDER).content.decode()
    assert "print=1" in page  # the page links to it


def _csv(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_csv_export_has_the_rows_of_the_page_with_the_apis_columns(signed_in):
    params = {"markets": "DE, US-CA", "risk_tier": "gpai", "on": "2025-03-01"}
    lists = _sections(signed_in.get(URL, params))
    rows = _csv(signed_in.get(f"{URL}export/", {**params, "as": "csv"}))

    assert [r["id"] for r in rows if r["list"] == "applies"] == _ids(lists["applies"])
    assert [r["id"] for r in rows if r["list"] == "may apply"] == _ids(lists["may apply"])
    upcoming = [r for r in rows if r["list"] == "upcoming"]
    assert upcoming and len(upcoming) == lists["upcoming"].count("<li>")
    assert {"id", "instrument", "provision", "requirement", "applies_from", "penalties"} <= set(
        rows[0]
    )
    [gpai] = [r for r in upcoming if r["id"] == GPAI]
    assert (gpai["change"], gpai["date"], gpai["missing"]) == ("starts", "2025-08-02", "role")


def test_the_xlsx_export_holds_the_same_rows(signed_in):
    rows = _csv(signed_in.get(f"{URL}export/", {**GPAI_PROVIDER, "as": "csv"}))
    book = signed_in.get(f"{URL}export/", {**GPAI_PROVIDER, "as": "xlsx"})
    sheet = load_workbook(io.BytesIO(book.content)).active
    ids = [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert ids == [r["id"] for r in rows] and GPAI in ids


def test_an_export_of_a_profile_with_errors_is_refused(signed_in):
    response = signed_in.get(f"{URL}export/", {"markets": "ATLANTIS", "as": "csv"})
    assert response.status_code == 400


def test_anonymous_readers_are_asked_to_sign_in(client):
    for url in (URL, f"{URL}?markets=DE", f"{URL}export/?markets=DE&as=csv"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_page_and_its_printable_view_need_no_inline_script_or_style(signed_in):
    for params in (GPAI_PROVIDER, {**GPAI_PROVIDER, "print": "1"}):
        html = signed_in.get(URL, params).content.decode()
        assert not re.findall(
            r"<script\b(?![^>]*\bsrc=)|<style\b|<[^>]+\s(style|on[a-z]+)\s*=", html
        )
