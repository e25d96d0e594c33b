"""An amendment takes effect only through an adopted act (issue 23, point 3): a proposed
amending act's change never reads "In effect … amends it" on the amended act's timeline
or in the API. A date of effect through an act only proposed then is refused, when
proposed and when written, and so are events that would leave dated amendments of an
act in effect through a proposal ("an event another row needs")."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from apps.api import keys
from apps.api.models import ApiClient
from apps.cases import services
from apps.cases.models import State
from apps.instruments.models import Instrument
from apps.record import rows as plain
from apps.record.models import AppliedChange
from tests.cases.child_steps import open_case, page_url, post_data, shown_rows
from tests.helpers import another_act, in_force, make_testland_law, move, publish, write

pytestmark = pytest.mark.django_db

PROPOSED = {"kind": "proposed", "date": "2025-01-10", "date_precision": "day", "note": ""}
ADOPTED = {"kind": "adopted", "date": "2025-06-02", "date_precision": "day", "note": ""}


@pytest.fixture
def act():
    return in_force(make_testland_law())


@pytest.fixture
def amending(act):
    """An amending act of Testland, only proposed (since 2025-01-10)."""
    return write(
        "instrument",
        {"events": [PROPOSED]},
        row=another_act(act, "zz-amending-act", "Testland amending act"),
    )


def _amendment(amending, act, effective_on):
    return {
        "key": "zz-amends",
        "kind": "amends",
        "source_instrument": amending.pk,
        "target_instrument": act.pk,
        "effective_on": effective_on,
        "effective_on_precision": "day" if effective_on else "",
        "provenance": "editorial",
    }


def _timeline(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.search(r'<ol class="timeline".*?</ol>', html, re.S).group(0))


@pytest.fixture
def reader_client(client, django_user_model):
    """A law-firm reader, signed in to the portal."""
    client.force_login(django_user_model.objects.create_user("reader", "r@example.org", "pw-r-123"))
    return client


@pytest.fixture
def api(db):
    client = APIClient()
    secret = keys.issue(
        ApiClient.objects.create(name="Firm", contact_email="it@example.org"), "k", ["read"]
    )[1]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def test_a_proposed_acts_amendment_is_pending_on_the_timeline_and_in_the_api(
    client, act, amending, reader_client, api
):
    write("amendment", _amendment(amending, act, None))
    timeline = _timeline(reader_client.get("/instruments/zz-law/"))
    assert "Proposed, not in effect: Testland amending act amends it" in timeline
    assert "In effect" not in timeline
    answer = api.get("/api/v1/amendments/zz-amends/").json()
    assert answer["pending"] is True and answer["effective_on"] is None


def test_a_date_of_effect_through_an_act_only_proposed_then_is_refused_by_the_write_path(
    act, amending
):
    with pytest.raises(ValidationError, match="only proposed on 2025-07-01"):
        write("amendment", _amendment(amending, act, "2025-07-01"))
    assert not AppliedChange.objects.filter(target="amendment", after__key="zz-amends").exists()


def test_once_adopted_by_its_date_of_effect_the_amendment_is_in_effect_everywhere(
    reader_client, act, amending, api
):
    write("instrument", {"events": [PROPOSED, ADOPTED]}, row=amending)
    write("amendment", _amendment(amending, act, "2025-07-01"))
    assert "In effect: Testland amending act amends it" in _timeline(
        reader_client.get("/instruments/zz-law/")
    )
    assert api.get("/api/v1/amendments/zz-amends/").json()["pending"] is False


def test_the_amendment_form_refuses_the_date_beside_it_keeping_what_was_typed(
    client, cast, act, amending
):
    case = open_case(cast["editor"])
    client.force_login(cast["editor"])
    url = reverse("admin:cases_case_propose", args=[case.pk, "amendment"])
    data = {
        "key": "zz-amends",
        "kind": "amends",
        "source_instrument": "zz-amending-act",
        "target_instrument": "zz-law",
        "effective_on": "2025-07-01",
        "summary": "Typed words.",
        "provenance": "editorial",
        "effects-TOTAL_FORMS": 0,
        "effects-INITIAL_FORMS": 0,
    }
    response = client.post(url, data)
    assert response.status_code == 200
    [error] = response.context["form"].errors["effective_on"]
    assert error.startswith("Testland amending act is only proposed on 2025-07-01")
    assert "Typed words." in response.content.decode()
    assert case.changes.count() == 0


def test_removing_the_adoption_a_dated_amendment_needs_is_refused_beside_the_events(client, cast):
    omnibus = Instrument.objects.get(slug="eu-digital-omnibus-ai-proposal")
    case = open_case(cast["editor"], omnibus)
    client.force_login(cast["editor"])
    url = page_url(case, "instrument", omnibus)
    form = client.get(url).context["form"]
    events = shown_rows(form, "events")
    for event in events:  # what remains: its proposal and Parliament's first vote
        event["DELETE"] = event["kind"] not in ("proposed", "passed_chamber")
    response = client.post(url, post_data(form, {"events": events}, summary="Kept too."))
    assert response.status_code == 200
    [error] = response.context["form"].errors["events"]
    assert "“digital-omnibus-ai-amends-ai-act”" in error and "in effect from 2026-07-27" in error
    assert "Kept too." in response.content.decode()
    assert case.changes.count() == 0


def test_moving_the_adoption_after_the_date_of_effect_is_refused_but_before_it_is_not(
    act, amending, cast
):
    write("instrument", {"events": [PROPOSED, ADOPTED]}, row=amending)
    write("amendment", _amendment(amending, act, "2025-07-01"))
    case = open_case(cast["editor"], amending)
    late = {**ADOPTED, "date": "2025-07-02"}
    with pytest.raises(ValidationError, match="zz-amends"):
        services.change_propose(
            case=case,
            actor=cast["editor"],
            target="instrument",
            action="update",
            row=amending,
            values={"events": [PROPOSED, late]},
        )
    early = {**ADOPTED, "date": "2025-05-30"}
    services.change_propose(
        case=case,
        actor=cast["editor"],
        target="instrument",
        action="update",
        row=amending,
        values={"events": [PROPOSED, early]},
    )
    publish(case, cast["editor"], cast["reviewer"])
    assert str(amending.events.get(kind="adopted").date) == "2025-05-30"


def test_an_approval_is_refused_when_an_amendment_was_dated_through_the_act_since(
    act, amending, cast
):
    """Proposed while nothing needed the adoption; by approval an amendment does."""
    write("instrument", {"events": [PROPOSED, ADOPTED]}, row=amending)
    case = open_case(cast["editor"], amending)
    services.change_propose(
        case=case,
        actor=cast["editor"],
        target="instrument",
        action="update",
        row=amending,
        values={"events": [PROPOSED]},
    )
    write("amendment", _amendment(amending, act, "2025-07-01"))
    amending.refresh_from_db()
    case.changes.update(base_version=amending.version)  # not stale: the amendment is its own row
    with pytest.raises(ValidationError, match="zz-amends"):
        publish(case, cast["editor"], cast["reviewer"])
    assert amending.events.filter(kind="adopted").exists()
    assert not AppliedChange.objects.filter(case=case).exists()


def test_a_case_in_progress_changes_no_reader_surface_until_published(reader_client, api, cast):
    act = Instrument.objects.get(slug="eu-ai-act")
    case = open_case(cast["editor"], act)
    events = plain.snapshot("instrument", act)["events"]
    force = next(e for e in events if e["kind"] == "entered_into_force")
    force["date"] = "2024-08-03"
    services.change_propose(
        case=case,
        actor=cast["editor"],
        target="instrument",
        action="update",
        row=act,
        values={"events": events},
    )

    def shown():
        page = _timeline(reader_client.get("/instruments/eu-ai-act/"))
        answer = api.get("/api/v1/instruments/eu-ai-act/", {"include": "events"}).json()
        dated = {e["date"] for e in answer["events"] if e["kind"] == "entered_into_force"}
        return page, dated

    page, dated = shown()
    assert "2024-08-01" in page and "2024-08-03" not in page and dated == {"2024-08-01"}
    move(case, cast["editor"], State.IN_REVIEW)
    page, dated = shown()
    assert "2024-08-03" not in page and dated == {"2024-08-01"}

    services.case_approve(case=case, reviewer=cast["reviewer"])
    page, dated = shown()
    assert "2024-08-03" in page and "2024-08-01" not in page and dated == {"2024-08-03"}


def _dated(amending, act, key: str, effective_on: str | None, **extra):
    from apps.amendments.models import Amendment

    # Straight to the table: the rule under test is what the write path asks of them.
    return Amendment.objects.create(
        key=key,
        kind="amends",
        source_instrument=amending,
        target_instrument=act,
        effective_on=effective_on,
        effective_on_precision="day" if effective_on else "",
        provenance="editorial",
        **extra,
    )


def test_the_amendments_an_unadopted_act_would_put_in_effect_are_named_by_date_then_key(
    act, amending, django_assert_num_queries
):
    from django.utils import timezone

    from apps.amendments.status import adoption_needed, in_effect_before_adoption

    _dated(amending, act, "zz-b", "2025-07-01")
    _dated(amending, act, "zz-a", "2025-08-01")
    _dated(amending, act, "zz-d", "2025-09-01")
    _dated(amending, act, "zz-c", "2025-09-01")
    _dated(amending, act, "zz-retired", "2025-07-01", retired_at=timezone.now())
    _dated(amending, act, "zz-pending", None)
    only_proposed = Instrument.objects.get(pk=amending.pk)

    # Its own events (only proposed), its amendments and their targets: two queries.
    with django_assert_num_queries(2):
        late = in_effect_before_adoption(only_proposed)
        reason = adoption_needed(late)

    assert [a.key for a in late] == ["zz-b", "zz-a", "zz-c", "zz-d"]
    named = "; ".join(
        f"“{a.key}” (amends {act}, in effect from {a.effective_on.isoformat()})" for a in late
    )
    assert reason == (
        "These events leave the act only proposed on the day its amendments take effect: "
        f"{named}. Keep an event of its adoption dated by then, or first make those "
        "amendments pending (no date of effect)."
    )
