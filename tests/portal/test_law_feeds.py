"""What a reader takes away follows the law as it stands (issue 21): the calendar moves
an event when its obligation's date moves (same UID, higher SEQUENCE) and cancels one
that ended; the digest, the home page and the exports say what moved in plain words."""

from __future__ import annotations

import csv
import io

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.portal import watching
from apps.portal.models import Reader, Watch
from apps.reading.wording import day
from tests.helpers import another_act, in_force, write
from tests.portal.law_steps import (
    amend,
    days,
    duty,
    effect,
    events,
    make_act,
    moves_from,
    retire,
    text,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def act():
    return make_act()


@pytest.fixture
def amending(act):
    return another_act(act, "zz-amending-act", "Testland amending act")


@pytest.fixture
def feed(client, reader):
    """The reader follows Testland AI law; calling this reads their calendar feed."""
    Watch.objects.create(user=reader, kind="instrument", value="zz-law", label="Testland AI law")
    token = Reader.objects.create(user=reader).calendar_token

    def read():
        response = client.get(f"/calendar/{token}.ics")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")
        return response.content.decode()

    return read


def uid(obligation) -> str:
    return f"obligation-{obligation.pk}@ai-regulation-tracker"


def when(event) -> str:
    return event["DTSTART;VALUE=DATE"]


def pass_to(monkeypatch, day_):
    """Time passes: today is `day_` for every reader of the record."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day_)


def test_a_postponement_moves_the_event_with_the_same_uid_and_a_higher_sequence(
    feed, act, amending, monkeypatch
):
    d1, e, d2 = days(10), days(30), days(400)
    obligation = duty(act, d1)
    amend(amending, act, [moves_from(obligation, d2)], e)

    body = feed()
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    before = events(body)[uid(obligation)]
    assert when(before) == f"{d1:%Y%m%d}" and "STATUS" not in before
    assert f"From {day(e)}\\, Testland amending act changes Article 9" in before["DESCRIPTION"]

    pass_to(monkeypatch, e)
    after = events(feed())[uid(obligation)]
    assert when(after) == f"{d2:%Y%m%d}"
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert f"Article 9 now applies from {day(d2)} instead of {day(d1)}" in after["DESCRIPTION"]
    assert after["URL"].endswith("/instruments/zz-law/#obligation-risk-management")


def test_a_proposal_leaves_the_event_where_it_is_and_its_adoption_moves_it(feed, act, amending):
    d1, d2 = days(10), days(400)
    obligation = duty(act, d1)
    proposal = amend(amending, act, [moves_from(obligation, d2)], None)

    proposed = events(feed())[uid(obligation)]
    assert when(proposed) == f"{d1:%Y%m%d}" and "STATUS" not in proposed
    write(
        "amendment",
        {"effective_on": days(-1).isoformat(), "effective_on_precision": "day"},
        row=proposal,
    )
    adopted = events(feed())[uid(obligation)]
    assert when(adopted) == f"{d2:%Y%m%d}"
    assert int(adopted["SEQUENCE"]) > int(proposed["SEQUENCE"])


def test_retiring_the_amendment_moves_the_event_back_with_a_higher_sequence(feed, act, amending):
    d1, d2 = days(10), days(400)
    obligation = duty(act, d1)
    amendment = amend(amending, act, [moves_from(obligation, d2)], days(-1))
    moved = events(feed())[uid(obligation)]
    assert when(moved) == f"{d2:%Y%m%d}"

    retire("amendment", amendment)
    back = events(feed())[uid(obligation)]
    assert when(back) == f"{d1:%Y%m%d}"
    assert int(back["SEQUENCE"]) > int(moved["SEQUENCE"])


def test_an_ended_obligation_is_cancelled_and_an_added_one_appears_once_it_exists(
    feed, act, amending, monkeypatch
):
    e, starts = days(20), days(40)
    ending = duty(act, days(5))
    added = duty(act, starts, key="new-duty", provision="Article 50a")
    amend(amending, act, [effect(added, "adds"), effect(ending, "ends")], e)

    before = events(feed())
    assert "STATUS" not in before[uid(ending)] and uid(added) not in before
    pass_to(monkeypatch, e)
    after = events(feed())
    assert after[uid(ending)]["STATUS"] == "CANCELLED"
    assert int(after[uid(ending)]["SEQUENCE"]) > int(before[uid(ending)]["SEQUENCE"])
    assert when(after[uid(added)]) == f"{starts:%Y%m%d}"


def test_a_repeal_cancels_the_repealed_acts_events(feed, act, monkeypatch):
    repeal_day = days(15)
    old = duty(act, days(5))
    new_act = in_force(another_act(act, "zz-new-law", "Testland AI law 2026"))
    amend(new_act, act, [], repeal_day, key="zz-repeal", kind="repeals")

    before = events(feed())[uid(old)]
    pass_to(monkeypatch, repeal_day)
    after = events(feed())[uid(old)]
    assert "STATUS" not in before and after["STATUS"] == "CANCELLED"
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])


@pytest.mark.usefixtures("tasks_run_inline")
def test_the_digest_says_what_moved_in_plain_words_with_the_rows_address(
    reader, act, amending, django_capture_on_commit_callbacks
):
    d1, e, d2 = days(10), days(-5), days(400)
    obligation = duty(act, d1)
    Watch.objects.create(user=reader, kind="instrument", value="zz-law", label="Testland AI law")
    Reader.objects.create(user=reader, digest="daily")
    amend(amending, act, [moves_from(obligation, d2)], e)
    amend(amending, act, [], None, key="zz-proposal")

    with django_capture_on_commit_callbacks(execute=True):
        assert watching.send_digests(site_url="http://tracker.example") == 2
    [message] = mail.outbox
    assert (
        f"  * Article 9 now applies from {day(d2)} instead of {day(d1)}, "
        f"by Testland amending act (in effect {day(e)}).\n"
        "    http://tracker.example/instruments/zz-law/#obligation-risk-management"
    ) in message.body
    assert "Proposed, not in effect: Testland amending act amends Testland AI law" in (message.body)
    assert "effective None" not in message.body


def test_home_says_what_moved_and_links_to_the_row(signed_in, act, amending):
    d1, e, d2 = days(10), days(-5), days(400)
    obligation = duty(act, d1)
    far = duty(act, days(200), key="logging", provision="Article 12")
    amend(amending, act, [moves_from(obligation, d2), moves_from(far, days(20))], e)

    response = signed_in.get("/")
    html = response.content.decode()
    sentence = f"Article 9 now applies from {day(d2)} instead of {day(d1)}"
    assert f'<a href="/instruments/zz-law/#obligation-risk-management">{sentence}' in html
    upcoming = text(response).split("Application dates in the next 90 days")[1]
    assert "Article 12" in upcoming and "Article 9" not in upcoming.split("Testland")[1][:40]


def test_adopting_a_proposal_is_news_on_the_home_page(signed_in, act, amending):
    d1, d2 = days(10), days(400)
    obligation = duty(act, d1)
    proposal = amend(amending, act, [moves_from(obligation, d2)], None)
    assert "Proposed, not in effect: Testland amending act amends Testland AI law" in text(
        signed_in.get("/")
    )
    write(
        "amendment",
        {"effective_on": days(-1).isoformat(), "effective_on_precision": "day"},
        row=proposal,
    )
    page = text(signed_in.get("/"))
    assert "Adopted: Testland amending act amends Testland AI law, effective" in page
    assert f"Article 9 now applies from {day(d2)} instead of {day(d1)}" in page


def test_the_watchlist_export_carries_the_obligations_as_they_stand(
    signed_in, reader, act, amending
):
    d1, d2 = days(10), days(400)
    obligation = duty(act, d1)
    amend(amending, act, [moves_from(obligation, d2)], days(-1))
    Watch.objects.create(user=reader, kind="instrument", value="zz-law", label="Testland AI law")

    response = signed_in.get("/watchlist/export/obligations/", {"as": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    [row] = [r for r in rows if r["key"] == "risk-management"]
    assert row["applies from"] == d2.isoformat() and row["standing"] == "applies from a later day"
    assert row["changes by amendments"].startswith("In effect: Article 9 now applies from")


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def test_pages_and_the_feed_read_the_effects_in_a_fixed_number_of_queries(
    signed_in, feed, act, amending
):
    first = duty(act, days(10))
    amend(amending, act, [moves_from(first, days(400))], days(-1))
    urls = ["/", "/instruments/zz-law/", "/compare/?j=ZZ&j=EU"]
    few = [_queries(lambda u=u: signed_in.get(u)) for u in urls] + [_queries(feed)]

    second_act = another_act(act, "zz-second-amending-act", "Second amending act")
    for n in range(3):
        more = duty(act, days(50 + n), key=f"duty-{n}", provision=f"Article {20 + n}")
        amend(
            second_act,
            act,
            [moves_from(more, days(300 + n)), effect(more, "requirement", text=f"Do {n}.")],
            days(-1 - n),
            key=f"zz-more-{n}",
        )
    many = [_queries(lambda u=u: signed_in.get(u)) for u in urls] + [_queries(feed)]
    assert few == many
