"""The API shows the law as amendments made it: for today, or as it applied on `as_of`.

Testland's act is in force since 2024; Article 9 applies from D1; an amending act
postpones it to D2, in effect on E (all before today, unless a test says otherwise).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from apps.record.models import AppliedChange
from tests.api.law_records import act_in_force, amend, effect, moves, obligation
from tests.helpers import another_act, in_force, write

pytestmark = pytest.mark.django_db

D1, E, D2 = dt.date(2025, 3, 1), dt.date(2025, 6, 30), dt.date(2026, 3, 1)
URL = "/api/v1/obligations/zz-law:risk-management/"
POSTPONED = (
    "Article 9 now applies from 1 March 2026 instead of 1 March 2025, "
    "by Testland amending act (in effect 30 June 2025)."
)


def _day(value: dt.date) -> str:
    return value.isoformat()


@pytest.fixture
def act():
    return act_in_force()


@pytest.fixture
def amending(act):
    return another_act(act, "zz-amending-act", "Testland amending act")


@pytest.fixture
def duty(act):
    return obligation(
        act,
        "risk-management",
        "Article 9",
        D1,
        penalties=[{"applies_to": "company", "max_amount": "1000000", "currency": "EUR"}],
    )


def _keys(api, **params) -> list[str]:
    response = api.get("/api/v1/obligations/", {"instrument": "zz-law", **params})
    assert response.status_code == 200, response.content
    return [row["key"] for row in response.json()["results"]]


def test_a_postponement_shows_the_first_date_before_its_effect_and_the_new_one_from_it(
    api, act, amending, duty
):
    amend(amending, act, [moves(duty, D2)], E, "zz-postponement")

    before = api.get(URL, {"as_of": _day(E - dt.timedelta(days=1)), "include": "history"}).json()
    on_effect = api.get(URL, {"as_of": _day(E), "include": "history"}).json()
    today = api.get(URL, {"include": "history"}).json()

    assert (before["applies_from"], before["history"]) == ("2025-03-01", [])
    [ahead] = before["pending"]["scheduled"]
    assert ahead["amendment"]["id"] == "zz-postponement"
    assert ahead["sentence"].startswith("From 30 June 2025, Testland amending act changes")
    assert on_effect["applies_from"] == today["applies_from"] == "2026-03-01"
    [step] = on_effect["history"]
    assert step == {
        "amendment": {
            "id": "zz-postponement",
            "url": "http://testserver/api/v1/amendments/zz-postponement/",
        },
        "kind": "applies_from",
        "field": "applies_from",
        "was": "2025-03-01",
        "became": "2026-03-01",
        "effective_on": "2025-06-30",
        "sentence": POSTPONED,
    }
    assert on_effect["pending"] == {"scheduled": [], "proposed": []}


def test_as_of_lists_what_applied_that_day_and_filters_answer_on_the_amended_dates(
    api, act, amending, duty
):
    amend(amending, act, [moves(duty, D2)], E, "zz-postponement")

    assert _keys(api, as_of="2025-05-01") == ["risk-management"]  # from D1, not yet moved
    assert _keys(api, as_of="2025-07-01") == []  # moved away to D2
    assert _keys(api, as_of=_day(D2)) == ["risk-management"]
    # Without as_of the values are today's: it applies from D2.
    assert _keys(api, applies_on="2025-12-01") == []
    assert _keys(api, applies_on=_day(D2)) == ["risk-management"]
    assert _keys(api, applies_from_from="2026-01-01") == ["risk-management"]
    assert _keys(api, applies_from_to="2025-12-31") == []
    assert _keys(api, applies_from_to="2025-12-31", as_of="2025-05-01") == ["risk-management"]


def test_a_proposed_amendment_changes_nothing_and_is_listed_as_pending(api, act, amending, duty):
    amend(amending, act, [moves(duty, D2)], None, "zz-proposal")

    body = api.get(URL, {"include": "history"}).json()
    far = api.get(URL, {"include": "history", "as_of": "2099-01-01"}).json()

    assert body["applies_from"] == far["applies_from"] == "2025-03-01"
    assert body["history"] == far["history"] == []
    [proposed] = body["pending"]["proposed"]
    assert (proposed["effective_on"], proposed["became"], proposed["was"]) == (
        None,
        "2026-03-01",
        "2025-03-01",
    )
    assert proposed["sentence"] == (
        "Testland amending act (proposed, not in effect) would change Article 9: "
        "it applies from 1 March 2026 instead of 1 March 2025."
    )
    assert body["pending"]["scheduled"] == []
    amendment = api.get("/api/v1/amendments/zz-proposal/", {"include": "effects"}).json()
    assert (amendment["pending"], amendment["effective_on"]) == (True, None)
    assert amendment["effects"] == [
        {
            "obligation": "zz-law:risk-management",
            "kind": "applies_from",
            "date": "2026-03-01",
            "text": "",
            "penalties": None,
        }
    ]
    pending = api.get("/api/v1/amendments/", {"pending": "true", "page_size": 100}).json()
    assert "zz-proposal" in [row["id"] for row in pending["results"]]


def test_adopting_the_proposal_with_a_date_makes_its_effects_apply_from_that_date(
    api, act, amending, duty
):
    proposal = amend(amending, act, [moves(duty, D2)], None, "zz-proposal")

    write("amendment", {"effective_on": _day(E), "effective_on_precision": "day"}, row=proposal)

    assert api.get(URL, {"as_of": "2025-06-29"}).json()["applies_from"] == "2025-03-01"
    assert api.get(URL, {"as_of": _day(E)}).json()["applies_from"] == "2026-03-01"
    amendment = api.get("/api/v1/amendments/zz-proposal/").json()
    assert (amendment["pending"], amendment["effective_on"]) == (False, "2025-06-30")


def test_a_repeal_ends_the_acts_obligations_and_the_new_act_applies_from_its_own_dates(
    api, act, amending, duty
):
    repeal_day = dt.date(2026, 6, 1)
    successor = another_act(act, "zz-new-law", "Testland new AI law")
    in_force(successor, repeal_day)
    obligation(successor, "narrower-duty", "Article 3", repeal_day)
    amend(successor, act, [], repeal_day, "zz-repeal", kind="repeals")

    assert _keys(api, as_of="2026-05-31") == ["risk-management"]
    assert _keys(api, as_of=_day(repeal_day)) == []
    assert api.get(URL).json()["applies_until"] == "2026-06-01"
    assert api.get(URL, {"as_of": "2026-05-31"}).json()["applies_until"] is None
    assert _keys(api, applies_on="2026-07-01") == []
    assert _keys(api, applies_on="2026-05-01") == ["risk-management"]
    new = api.get("/api/v1/obligations/", {"instrument": "zz-new-law", "as_of": "2026-06-01"})
    assert [(o["key"], o["applies_from"]) for o in new.json()["results"]] == [
        ("narrower-duty", "2026-06-01")
    ]


def test_an_added_obligation_appears_from_its_amendments_day_and_an_ended_one_stops(
    api, act, amending, duty
):
    later = timezone.localdate() + dt.timedelta(days=60)
    added = obligation(act, "transparency", "Article 50a", E, addressee="deployer")
    amend(amending, act, [effect(added, "adds")], later, "zz-addition")
    amend(amending, act, [effect(duty, "ends")], E, "zz-ending")

    assert _keys(api) == ["risk-management"]  # the addition is not law yet
    assert api.get("/api/v1/obligations/zz-law:transparency/").status_code == 404
    assert _keys(api, as_of=_day(later)) == ["transparency"]
    shown = api.get("/api/v1/obligations/zz-law:transparency/", {"as_of": _day(later)})
    assert shown.status_code == 200 and shown.json()["applies_from"] == "2025-06-30"
    ended = api.get(URL, {"include": "history"}).json()
    assert ended["applies_until"] == "2025-06-30"
    assert ended["history"][0]["sentence"] == (
        "Article 9 ended on 30 June 2025, by Testland amending act."
    )
    assert _keys(api, as_of="2025-06-29") == ["risk-management"]
    assert _keys(api, as_of=_day(E)) == []


def test_replaced_values_are_shown_filtered_and_ordered_as_they_stand(api, act, amending, duty):
    early = obligation(act, "early-duty", "Article 4", dt.date(2025, 6, 1))
    amend(
        amending,
        act,
        [
            effect(duty, "requirement", "Keep and test it."),
            effect(duty, "addressee", "deployer"),
            effect(duty, "risk_tier", "limited"),
            effect(
                duty,
                "penalties",
                penalties=[{"applies_to": "company", "max_amount": "500", "currency": "EUR"}],
            ),
            moves(early, dt.date(2024, 6, 1)),
        ],
        E,
        "zz-replacement",
    )

    body = api.get(URL, {"include": "penalties,history"}).json()
    assert (body["requirement"], body["addressee"], body["risk_tier"]) == (
        "Keep and test it.",
        "deployer",
        "limited",
    )
    assert [p["max_amount"] for p in body["penalties"]] == ["500.00"]
    [penalties] = [s for s in body["history"] if s["kind"] == "penalties"]
    assert [p["max_amount"] for p in penalties["was"]] == ["1000000.00"]
    assert [p["max_amount"] for p in penalties["became"]] == ["500.00"]
    assert _keys(api, addressee="deployer") == ["risk-management"]
    assert _keys(api, addressee="provider") == ["early-duty"]
    assert _keys(api, risk_tier="limited") == ["risk-management"]
    assert _keys(api, addressee="provider", as_of="2025-05-31") == ["risk-management"]
    assert _keys(api, ordering="applies_from") == ["early-duty", "risk-management"]
    assert _keys(api, ordering="-applies_from") == ["risk-management", "early-duty"]
    providers = api.get("/api/v1/instruments/", {"addressee": "deployer", "jurisdiction": "ZZ"})
    assert [row["id"] for row in providers.json()["results"]] == ["zz-law"]


@pytest.mark.parametrize("as_of", [None, "2025-05-01", "2025-07-01", "2026-06-01"])
def test_an_instruments_obligations_are_the_obligation_lists_row_for_row(
    api, act, amending, duty, as_of
):
    obligation(act, "early-duty", "Article 4", dt.date(2025, 6, 1))
    added = obligation(act, "transparency", "Article 50a", E, addressee="deployer")
    fine = [{"applies_to": "company", "max_amount": "500", "currency": "EUR"}]
    changes = [moves(duty, D2), effect(duty, "penalties", penalties=fine), effect(added, "adds")]
    amend(amending, act, changes, E, "zz-postponement")
    amend(amending, act, [effect(duty, "requirement", "Later text.")], None, "zz-proposal")
    day = {"as_of": as_of} if as_of else {}
    include = {"include": "penalties,citations"}

    listed = api.get("/api/v1/obligations/", {"instrument": "zz-law", **day, **include})
    detail = api.get("/api/v1/instruments/zz-law/", {"include": "obligations", **day})
    in_list = api.get(
        "/api/v1/instruments/", {"jurisdiction": "ZZ", "include": "obligations", **day}
    )

    rows = listed.json()["results"]
    assert rows, "the day has obligations to compare"
    assert detail.json()["obligations"] == rows
    [instrument] = [i for i in in_list.json()["results"] if i["id"] == "zz-law"]
    assert instrument["obligations"] == rows


def test_the_changes_feed_and_webhooks_say_what_moved_in_plain_words(api, act, amending, duty):
    from apps.api.changes import items

    start = AppliedChange.objects.order_by("-pk").values_list("pk", flat=True).first()
    proposal = amend(amending, act, [moves(duty, D2)], None, "zz-postponement")
    write("amendment", {"effective_on": _day(E), "effective_on_precision": "day"}, row=proposal)
    write("amendment", {"summary": "Typo fixed."}, row=proposal)

    feed = api.get("/api/v1/changes/", {"after": start, "kind": "amendment"}).json()["results"]
    made, adopted, retouched = feed
    assert made["sentences"] == [
        "Testland amending act (proposed, not in effect) would change Article 9: "
        "it applies from 1 March 2026 instead of 1 March 2025."
    ]
    assert adopted["changes"]["effective_on"] == {"before": None, "after": "2025-06-30"}
    assert adopted["sentences"] == [POSTPONED]
    assert retouched["sentences"] == []
    # A webhook's payload is built from the same items, without a request.
    pushed = items(list(AppliedChange.objects.filter(pk=adopted["id"]).select_related("case")))
    assert pushed[0]["sentences"] == [POSTPONED]


def test_json_ld_and_csv_carry_the_amended_values(api, act, amending, duty):
    amend(amending, act, [moves(duty, D2)], E, "zz-postponement")
    amend(amending, act, [moves(duty, dt.date(2030, 1, 1))], None, "zz-proposal")

    doc = api.get("/api/v1/instruments/zz-law/", {"format": "jsonld"}).json()
    early = api.get("/api/v1/instruments/zz-law/", {"format": "jsonld", "as_of": "2025-05-01"})
    csv_body = api.get(
        "/api/v1/obligations/", {"instrument": "zz-law", "format": "csv", "include": "history"}
    ).content.decode()

    [part] = doc["hasPart"]
    assert part["legislationDateOfApplicability"] == "2026-03-01"
    assert part["@id"].endswith("/api/v1/obligations/zz-law:risk-management/")
    changed_by = [link["@id"] for link in doc["eli:is_changed_by"]]
    assert changed_by == [
        "http://testserver/api/v1/instruments/zz-amending-act/"
    ]  # not the proposal
    [then] = early.json()["hasPart"]
    assert then["legislationDateOfApplicability"] == "2025-03-01"
    assert early.json()["legislationDateVersion"] == "2025-05-01"
    assert "eli:is_changed_by" not in early.json()  # nothing had changed it yet
    assert "2026-03-01" in csv_body and POSTPONED in csv_body


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/obligations/", {"instrument": "zz-law", "include": "history,penalties"}),
        (URL, {"include": "history,penalties,citations", "as_of": "2025-05-01"}),
        ("/api/v1/instruments/zz-law/", {"include": "obligations"}),
        ("/api/v1/amendments/", {"target": "zz-law", "include": "effects,citations"}),
    ],
)
def test_the_amended_rows_read_as_drf_writes_them(
    api, monkeypatch, act, amending, duty, url, params
):
    from tests.api.test_compiled import _both

    amend(amending, act, [moves(duty, D2), effect(duty, "addressee", "deployer")], E, "zz-one")
    penalties = [{"applies_to": "company", "max_amount": "5", "currency": "EUR"}]
    amend(amending, act, [effect(duty, "penalties", penalties=penalties)], None, "zz-two")

    planned, by_drf = _both(api, monkeypatch, url, params)

    assert planned == by_drf


def test_instruments_by_addressee_on_a_day_answer_on_their_obligations_as_they_stood_then(
    api, act, amending, duty
):
    # The duty binds providers until the amendment takes effect on E, deployers after.
    amend(amending, act, [effect(duty, "addressee", "deployer")], E, "zz-readdressed")

    def listed(addressee: str, day: dt.date) -> list[str]:
        params = {"addressee": addressee, "jurisdiction": "ZZ", "as_of": _day(day)}
        return [row["id"] for row in api.get("/api/v1/instruments/", params).json()["results"]]

    before = E - dt.timedelta(days=1)
    assert (listed("provider", before), listed("deployer", before)) == (["zz-law"], [])
    assert (listed("provider", E), listed("deployer", E)) == ([], ["zz-law"])
