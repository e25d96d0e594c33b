"""The proposal form's pickers in a real browser (issue 31): an editor finds an instrument
and a citation by typing part of their names, picks them (keyboard, then mouse), submits,
and the case holds exactly those rows."""

from __future__ import annotations

import pytest

from apps.cases.models import Case
from apps.core.models import Citation
from apps.instruments.models import Instrument
from tests.browser.test_editors_desk import _admin_page, accounts  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def _piece_only_it_has(citation: Citation) -> str:
    """A piece of the citation's title that no other citation's title holds."""
    title = citation.title
    for size in (12, 18, 24, 40):
        for start in range(0, max(1, len(title) - size), 3):
            piece = title[start : start + size].strip()
            if len(piece) >= 6 and Citation.objects.filter(title__icontains=piece).count() == 1:
                return piece
    raise AssertionError(f"no piece of {title!r} is its own")


def test_an_editor_picks_an_instrument_and_a_citation_by_typing_part_of_their_names(
    browser,
    live_server,
    accounts,  # noqa: F811
):
    aild = Instrument.objects.get(slug="eu-ai-liability-directive")
    act = Instrument.objects.get(slug="eu-ai-act")
    citation = Citation.objects.exclude(title="").order_by("-pk").first()
    piece = _piece_only_it_has(citation)

    editor = _admin_page(browser, live_server, "ed")
    editor.goto(f"/admin/instruments/instrument/{aild.pk}/record/")
    editor.get_by_role("button", name="Propose a new obligation").click()
    editor.wait_for_url("**/propose/obligation/**")
    instrument = editor.locator("#id_instrument")
    assert instrument.input_value() == aild.slug  # the record page's instrument, by slug

    # The instrument: part of the title typed, the match taken with the keyboard.
    instrument.fill("")
    instrument.press_sequentially("laying down harmonised rul")
    match = editor.locator("#id_instrument-matches [role=option]").first
    match.wait_for()
    assert "Artificial Intelligence Act" in match.inner_text()
    instrument.press("ArrowDown")
    assert editor.locator("#id_instrument-matches [aria-selected=true]").count() == 1
    instrument.press("Enter")  # picks; does not submit the form
    assert instrument.input_value() == act.slug
    assert "Artificial Intelligence Act" in editor.locator(".picker-chosen").first.inner_text()

    # The citation: part of its title typed, the match clicked.
    box = editor.locator("#id_citations")
    box.press_sequentially(piece)
    option = editor.locator("#id_citations-matches [role=option]", has_text=piece)
    option.click()
    assert box.input_value() == ""
    ticked = editor.locator(f'input[type=checkbox][name=citations][value="{citation.key}"]')
    assert ticked.is_checked()

    editor.fill("#id_key", "picked-by-typing")
    editor.fill("#id_provision", "Article 9")
    editor.select_option("#id_addressee", "provider")
    editor.fill("#id_requirement", "Keep a risk management system.")
    editor.get_by_role("button", name="Propose", exact=True).click()
    editor.wait_for_url("**/change/")

    case = Case.objects.get(instrument=aild)
    change = case.changes.get()
    assert change.values["instrument"] == act.pk
    assert change.values["citations"] == [citation.pk]
    assert editor.problems == []
