"""The four-eyes diff says what an amendment's effects do in plain words, the words readers
get (apps.reading.wording), never the stored values of its child rows."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.cases import diffs
from apps.obligations.models import Obligation
from tests.cases.approval_steps import in_review
from tests.cases.effect_steps import D2, NEW_RULES, amendment_values, effect
from tests.cases.effect_steps import act as act  # fixtures
from tests.cases.effect_steps import amending_act as amending_act
from tests.cases.effect_steps import duties as duties
from tests.helpers import publish, write

pytestmark = pytest.mark.django_db


def _words(cell) -> str:
    """The cell as a reader reads it: marks and escapes gone, spaces single."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", str(cell))).split())


def _effects_row(client, case, views="change_views") -> diffs.FieldRow:
    response = client.get(reverse("admin:cases_case_change", args=[case.pk]))
    [row] = [f for view in response.context[views] for f in view.fields if f.key == "effects"]
    return row


def _three_effects(duties):
    article_9, article_10, article_11 = duties
    return [
        effect(article_9, "applies_from", date=D2),
        effect(article_10, "requirement", text=NEW_RULES),
        effect(article_11, "ends"),
    ]


def test_a_reviewer_reads_the_proposed_effects_in_plain_words(
    client, cast, act, duties, amending_act
):
    values = amendment_values(amending_act, act, _three_effects(duties))
    case = in_review(cast["editor"], ("amendment", "create", None, values))
    client.force_login(cast["reviewer"])

    row = _effects_row(client, case)

    assert row.label == "Effects"
    after = _words(row.after)
    assert "Article 9: applies from 1 March 2028 instead of 1 March 2027" in after
    assert (
        "Article 10: requires: “Keep a risk management system and test it yearly.” "
        "instead of “Keep a risk management system.”"
    ) in after
    assert "Article 11: ends on 30 June 2026" in after
    page = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    for raw in ("applies_from", "'obligation'", "&#x27;kind&#x27;", "2028-03-01"):
        assert raw not in page


def test_an_update_of_the_effects_reads_the_same_way_before_and_after(
    client, cast, act, duties, amending_act
):
    amendment = write(
        "amendment",
        amendment_values(amending_act, act, [effect(duties[0], "applies_from", date=D2)]),
    )
    later = [effect(duties[0], "applies_from", date=D2.replace(month=9))]
    case = in_review(cast["editor"], ("amendment", "update", amendment, {"effects": later}))
    client.force_login(cast["reviewer"])

    row = _effects_row(client, case)

    # What it moves from is the date without this amendment, on both sides.
    assert _words(row.before) == "Article 9: applies from 1 March 2028 instead of 1 March 2027"
    assert _words(row.after) == "Article 9: applies from 1 September 2028 instead of 1 March 2027"
    assert "<del>March</del>" in str(row.before) and "<ins>September</ins>" in str(row.after)


def test_a_published_case_shows_the_effects_it_applied_in_plain_words(
    client, cast, act, duties, amending_act
):
    values = amendment_values(amending_act, act, _three_effects(duties))
    case = in_review(cast["editor"], ("amendment", "create", None, values))
    publish(case, cast["editor"], cast["reviewer"])
    client.force_login(cast["reviewer2"])

    row = _effects_row(client, case, views="applied_views")

    # Published, the amendment is in the record: what it moved from still leaves it out.
    assert "Article 9: applies from 1 March 2028 instead of 1 March 2027" in _words(row.after)
    assert "Article 11: ends on 30 June 2026" in _words(row.after)


def test_a_pending_amendments_ending_waits_for_its_date_of_effect(
    client, cast, act, duties, amending_act
):
    values = amendment_values(amending_act, act, [effect(duties[2], "ends")], effective_on=None)
    case = in_review(cast["editor"], ("amendment", "create", None, values))
    client.force_login(cast["reviewer"])

    assert _words(_effects_row(client, case).after) == (
        "Article 11: ends once the amendment has a date of effect"
    )


def test_replaced_penalties_and_a_new_risk_tier_are_said_with_what_they_replace(
    client, cast, act, duties, amending_act
):
    Obligation.objects.filter(pk=duties[1].pk).update(risk_tier="")
    penalties = {
        **effect(duties[0], "penalties"),
        "penalties": [{"applies_to": "company", "max_amount": "2000000", "currency": "EUR"}],
    }
    tier = effect(duties[1], "risk_tier", text="high")
    values = amendment_values(amending_act, act, [penalties, tier])
    case = in_review(cast["editor"], ("amendment", "create", None, values))
    client.force_login(cast["reviewer"])

    after = _words(_effects_row(client, case).after)

    assert "Article 9: carries new penalties: companies: EUR 2 million (was: none)" in after
    assert "Article 10: is of the high risk tier instead of no tier" in after


@pytest.mark.parametrize("n", [1, 3])
def test_the_case_page_reads_the_effects_in_a_fixed_number_of_queries(
    client, cast, act, duties, amending_act, n
):
    proposals = [
        (
            "amendment",
            "create",
            None,
            amendment_values(amending_act, act, _three_effects(duties), key=f"zz-amendment-{i}"),
        )
        for i in range(n)
    ]
    case = in_review(cast["editor"], *proposals)
    client.force_login(cast["reviewer"])
    url = reverse("admin:cases_case_change", args=[case.pk])
    client.get(url)

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200

    # session, user, the user's and groups' permissions, case with relations, evidence,
    # transitions (+actors), comments, changes, the instruments the diffs name, the
    # obligations the effects name with their effects and penalties, assignable users.
    assert len(queries) == 15


def test_an_amendment_put_later_still_moves_from_the_date_without_its_own_effect(
    act, duties, amending_act
):
    postponement = [effect(duties[0], "applies_from", date=D2)]
    amendment = write("amendment", amendment_values(amending_act, act, postponement))

    # On the eve of a later date of effect the amendment's own effect (from E) is in
    # force: what it moves from leaves it out.
    renderer, values = diffs.Renderer(), {"effective_on": "2027-01-01", "effects": postponement}
    renderer.want("amendment", values)
    words = renderer.display("amendment", "effects", values, row=amendment)
    assert [text for _, text in words] == [
        "Article 9: applies from 1 March 2028 instead of 1 March 2027"
    ]
