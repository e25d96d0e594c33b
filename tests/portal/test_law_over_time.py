"""The instrument page shows the law as it stood on a day: an obligation's date as the
amendments in effect then made it, with the sentence that says what moved it; what is
only scheduled or proposed is shown as such, never as in effect (issue 21)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from apps.cases import services
from apps.cases.models import State
from apps.reading.wording import day
from tests.helpers import another_act, in_force, move, write
from tests.portal.law_steps import amend, days, duty, effect, make_act, moves_from, retire, text

pytestmark = pytest.mark.django_db

PAGE = "/instruments/zz-law/"


def short(value: dt.date) -> str:
    """A date as the obligations table prints it."""
    return f"{value.day} {value:%b %Y}"


def row(response, key: str = "risk-management") -> str:
    """The text of one obligation's row of the table (its changes are the next row)."""
    html = response.content.decode()
    found = re.search(rf'<tr id="obligation-{key}"[^>]*>(.*?)</tr>', html, re.S)
    assert found, f"no row for {key}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1)))


def timeline(response) -> str:
    html = response.content.decode()
    return re.search(r'<ol class="timeline".*?</ol>', html, re.S).group(0)


def on(client, when: dt.date):
    return client.get(PAGE, {"as_of": when.isoformat()})


@pytest.fixture
def act():
    return make_act()


@pytest.fixture
def amending(act):
    return another_act(act, "zz-amending-act", "Testland amending act")


def test_a_postponement_shows_the_first_date_before_it_takes_effect_and_the_new_one_after(
    signed_in, act, amending
):
    d1, e, d2 = days(10), days(30), days(400)
    obligation = duty(act, d1)
    amend(amending, act, [moves_from(obligation, d2)], e)

    before = on(signed_in, d1)
    assert short(d1) in row(before) and short(d2) not in row(before)
    assert (
        f"Scheduled: From {day(e)}, Testland amending act changes Article 9: it applies from "
        f"{day(d2)} instead of {day(d1)}."
    ) in text(before)
    assert "None applied that day." in text(on(signed_in, e))
    after = on(signed_in, d2)
    assert short(d2) in row(after) and short(d1) not in row(after)
    assert (
        f"In effect: Article 9 now applies from {day(d2)} instead of {day(d1)}, "
        f"by Testland amending act (in effect {day(e)})."
    ) in text(after)
    assert short(d1) in row(signed_in.get(PAGE))  # today is before E


def test_on_the_day_the_postponement_takes_effect_today_s_page_moves_the_date(
    signed_in, act, amending, monkeypatch
):
    d1, e, d2 = days(10), days(30), days(400)
    obligation = duty(act, d1)
    amend(amending, act, [moves_from(obligation, d2)], e)

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: e)
    page = signed_in.get(PAGE)
    assert short(d2) in row(page) and short(d1) not in row(page)
    assert f"Article 9 now applies from {day(d2)} instead of {day(d1)}" in text(page)


def test_a_proposed_amendment_changes_nothing_and_is_shown_as_proposed(signed_in, act, amending):
    d1, d2 = days(-30), days(300)
    obligation = duty(act, d1)
    proposal = amend(amending, act, [moves_from(obligation, d2)], None)

    for response in (signed_in.get(PAGE), on(signed_in, days(500))):
        assert short(d1) in row(response) and short(d2) not in row(response)
    page = signed_in.get(PAGE)
    assert (
        "Proposed, not in effect: Testland amending act (proposed, not in effect) would change "
        f"Article 9: it applies from {day(d2)} instead of {day(d1)}."
    ) in text(page)
    events = timeline(page)
    assert '<li class="pending">' in events
    assert "Proposed, not in effect: Testland amending act amends it" in events
    assert "In effect" not in events
    assert "amends this instrument, proposed, not in effect" in text(page)
    assert "effective None" not in text(page) and "effective ," not in text(page)
    source = text(signed_in.get("/instruments/zz-amending-act/"))
    assert "This instrument amends Testland AI law, proposed, not in effect" in source

    write(
        "amendment",
        {"effective_on": days(-1).isoformat(), "effective_on_precision": "day"},
        row=proposal,
    )
    adopted = signed_in.get(PAGE)
    assert short(d2) in row(adopted)
    assert f"In effect: Article 9 now applies from {day(d2)} instead of {day(d1)}" in text(adopted)
    assert "In effect: Testland amending act amends it" in timeline(adopted)


def test_repeal_and_reenactment_end_the_old_obligations_and_start_the_new_ones(signed_in, act):
    repeal_day, starts = days(-20), days(60)
    old = duty(act, dt.date(2025, 1, 1))
    new_act = in_force(
        another_act(act, "zz-new-law", "Testland AI law 2026"), on=repeal_day.isoformat()
    )
    duty(new_act, starts, key="transparency", provision="Section 3")
    amend(new_act, act, [], repeal_day, key="zz-repeal", kind="repeals")

    old_page = signed_in.get(PAGE)
    assert f"Ended {short(repeal_day)}, with the instrument" in row(old_page, old.key)
    assert "Repealed" in text(old_page) or "repealed" in text(old_page)
    assert "In effect: Testland AI law 2026 repeals it" in text(old_page)
    assert short(old.applies_from) in row(on(signed_in, repeal_day - dt.timedelta(days=1)))
    assert "None applied that day." in text(on(signed_in, repeal_day))
    new_page = signed_in.get("/instruments/zz-new-law/")
    assert short(starts) in row(new_page, "transparency")
    assert "entered into force" in timeline(new_page).lower()
    assert "This instrument repeals Testland AI law, effective" in text(new_page)


def test_an_added_obligation_is_not_yet_applying_and_an_ended_one_is_ended(
    signed_in, act, amending, monkeypatch
):
    e = days(20)
    ending = duty(act, days(-100))
    added = duty(act, days(40), key="new-duty", provision="Article 50a")
    amend(amending, act, [effect(added, "adds"), effect(ending, "ends")], e)

    page = signed_in.get(PAGE)
    assert "Not yet applying" in row(page, "new-duty")
    assert f"Scheduled: From {day(e)}, Testland amending act changes Article 50a: it is added." in (
        text(page)
    )
    assert f"Scheduled: From {day(e)}, Testland amending act changes Article 9: it ends." in (
        text(page)
    )
    later = on(signed_in, days(50))
    assert "Article 50a was added by Testland amending act" in text(later)
    assert 'id="obligation-risk-management"' not in later.content.decode()

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: e)
    then = signed_in.get(PAGE)
    assert f"Ended {short(e)}" in row(then)
    assert f"In effect: Article 9 ended on {day(e)}, by Testland amending act." in text(then)
    assert "Not yet applying" not in row(then, "new-duty")


def test_replaced_values_show_as_they_stand(signed_in, act, amending):
    obligation = duty(act, days(-10))
    amend(
        amending,
        act,
        [
            effect(obligation, "addressee", text="deployer"),
            effect(obligation, "requirement", text="Keep and test it."),
            effect(
                obligation,
                "penalties",
                penalties=[{"applies_to": "company", "max_amount": "500", "currency": "EUR"}],
            ),
        ],
        days(-1),
    )
    cells = row(signed_in.get(PAGE))
    assert "Deployer" in cells or "deployer" in cells
    assert "Keep and test it." in cells and "Keep a risk management system." not in cells
    assert "EUR 500" in cells and "million" not in cells


def test_a_retired_amendment_changes_nothing(signed_in, act, amending):
    d1, d2 = days(10), days(400)
    obligation = duty(act, d1)
    amendment = amend(amending, act, [moves_from(obligation, d2)], days(-5))
    assert short(d2) in row(signed_in.get(PAGE))

    retire("amendment", amendment)
    page = signed_in.get(PAGE)
    assert short(d1) in row(page)
    assert "Testland amending act" not in text(page).split("Obligations")[1]


def test_the_export_carries_the_values_as_they_stand_on_the_day(signed_in, act, amending):
    d1, e, d2 = days(10), days(30), days(400)
    obligation = duty(act, d1)
    amend(amending, act, [moves_from(obligation, d2)], e)

    today = signed_in.get(f"{PAGE}export/", {"as": "csv"}).content.decode()
    assert d1.isoformat() in today and "Scheduled: From" in today
    later = signed_in.get(f"{PAGE}export/", {"as": "csv", "as_of": d2.isoformat()})
    body = later.content.decode()
    assert f",{d2.isoformat()}," in body and f",{d1.isoformat()}," not in body
    assert "In effect: Article 9 now applies from" in body
    assert f"{PAGE}#obligation-risk-management" in body
    assert signed_in.get(f"{PAGE}export/", {"as": "csv", "as_of": "soon"}).status_code == 404


@pytest.mark.parametrize("url", [PAGE, f"{PAGE}export/?as=csv", "/watchlist/export/obligations/"])
def test_a_newcomer_is_asked_to_sign_in_before_reading_the_law(client, act, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["reader", "editor"])
def test_a_postponement_only_proposed_in_a_case_changes_no_page(
    client, cast, reader, act, amending, who
):
    d1, d2 = days(10), days(400)
    obligation = duty(act, d1)
    editor = cast["editor"]
    case = move(
        services.case_open(title="Postpone Article 9", kind="correction", created_by=editor),
        editor,
        State.TRIAGED,
        State.IN_PROGRESS,
    )
    services.change_propose(
        case=case,
        actor=editor,
        target="amendment",
        action="create",
        values={
            "key": "zz-unpublished-postponement",
            "kind": "amends",
            "source_instrument": amending.pk,
            "target_instrument": act.pk,
            "effective_on": days(-1).isoformat(),
            "effective_on_precision": "day",
            "provenance": "editorial",
            "effects": [moves_from(obligation, d2)],
        },
    )
    client.force_login(reader if who == "reader" else editor)
    page = client.get(PAGE)
    assert short(d1) in row(page) and day(d2) not in text(page)
    assert "Testland amending act" not in text(page)
