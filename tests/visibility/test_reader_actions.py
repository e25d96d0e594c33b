"""What a reader does to their own things only: unfollowing and the watchlist's exports
touch the signed-in reader's watches, never another reader's (the record: world.py)."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from apps.portal.models import Watch
from tests.visibility.world import World

pytestmark = pytest.mark.django_db


def _signed_in(world: World, name: str) -> Client:
    client = Client()
    client.force_login(world.users[name])
    return client


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_unfollowing_removes_the_readers_own_watch_and_never_another_readers(world):
    reader, another = world.users["reader"], world.users["another user"]
    Watch.objects.create(user=another, kind="jurisdiction", value="EU", label="EU")
    gone = {"kind": "jurisdiction", "value": "QQ"}

    # Another reader unfollowing what the reader follows changes nothing of the reader's.
    _signed_in(world, "another user").post("/watchlist/unfollow/", gone)
    assert Watch.objects.filter(user=reader, **gone).exists()

    _signed_in(world, "reader").post("/watchlist/unfollow/", gone)
    assert not Watch.objects.filter(user=reader, **gone).exists()
    # Nor did the reader's unfollowing touch anyone else's watches.
    assert Watch.objects.filter(user=world.users["editor"], **gone).exists()
    assert Watch.objects.filter(user=another, kind="jurisdiction", value="EU").exists()


@pytest.mark.parametrize("export", ["/watchlist/export/", "/watchlist/export/obligations/"])
def test_the_watchlist_exports_carry_only_what_the_signed_in_reader_follows(world, export):
    another = world.users["another user"]
    Watch.objects.create(user=another, kind="instrument", value="eu-ai-act", label="AI Act")

    theirs = "".join(",".join(r) for r in _csv(_signed_in(world, "another user").get(export)))
    ours = "".join(",".join(r) for r in _csv(_signed_in(world, "reader").get(export)))

    assert "qqpublished" not in theirs.lower() and "qqpublished" in ours.lower()
    # Each row names its instrument's page: /instruments/eu-ai-act/.
    assert "eu-ai-act" in theirs and "eu-ai-act" not in ours


@pytest.mark.parametrize(
    ("kind", "value", "label"),
    [
        ("instrument", "qqpublished-law", "Qqpublished AI act"),
        ("jurisdiction", "QQ", "Qqpublished land"),
        ("topic", "  transparency ", "transparency"),
        ("search", "a" * 300, "a" * 300),
    ],
)
def test_a_followed_thing_is_labelled_with_its_published_name(world, kind, value, label):
    response = _signed_in(world, "another user").post(
        "/watchlist/follow/", {"kind": kind, "value": value}
    )
    assert response.status_code == 302
    watch = Watch.objects.get(user=world.users["another user"], kind=kind)
    assert (watch.value, watch.label) == (value.strip(), label)


@pytest.mark.parametrize(
    ("kind", "value", "said"),
    [
        ("instrument", "qqretired-law", "There is nothing published to follow by that name."),
        ("instrument", "qqdraft-law", "There is nothing published to follow by that name."),
        ("jurisdiction", "QR", "There is nothing published to follow by that name."),
        ("topic", "   ", "There is nothing published to follow by that name."),
        ("colour", "blue", "There is nothing published to follow by that name."),
        ("search", "a" * 301, "What you follow is named in at most 300 characters."),
    ],
)
def test_following_what_is_not_published_or_too_long_is_refused_saying_so(world, kind, value, said):
    client = _signed_in(world, "another user")
    response = client.post("/watchlist/follow/", {"kind": kind, "value": value}, follow=True)
    assert response.status_code == 200
    assert said in [str(m) for m in response.context["messages"]]
    assert not Watch.objects.filter(user=world.users["another user"]).exists()


def test_my_reports_shows_each_reader_their_own_reports_and_never_anothers(world):
    from apps.cases import reports

    reader, another = world.users["reader"], world.users["another user"]
    for who, words in ((reader, "Zqreader's own report"), (another, "Zqanother's own report")):
        reports.open_report(reporter=who, message=words, url="", page="")

    pages = {
        name: _signed_in(world, name).get("/my-reports/").content.decode()
        for name in ("reader", "another user", "editor", "reviewer")
    }
    assert "Zqreader&#x27;s own report" in pages["reader"]
    assert "Zqanother" not in pages["reader"]
    assert "Zqanother&#x27;s own report" in pages["another user"]
    assert "Zqreader" not in pages["another user"]
    # An editor's My reports is theirs too: the desk, not this page, shows others' reports.
    assert "Zq" not in pages["editor"] + pages["reviewer"]
