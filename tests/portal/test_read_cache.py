"""The portal's reading pages keep what they show of the record under the record's
version (apps/portal/views.py): a repeated page reads the record once, a publication
is seen by the next page, and what belongs to the reader is never shared."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from apps.instruments.models import Instrument
from apps.portal.models import Watch
from apps.record import services as record
from apps.record.models import Action
from apps.record.services import Why
from tests.helpers import write

pytestmark = pytest.mark.django_db

ACT = "/instruments/eu-ai-act/"


@pytest.fixture(autouse=True)
def kept_pages(settings):
    settings.READ_CACHE_SECONDS = 60


@pytest.fixture
def other(django_user_model):
    person = django_user_model.objects.create_user("other", "other@example.org", "pw-other-123")
    client = Client()
    client.force_login(person)
    return client


@pytest.mark.parametrize(
    "path",
    [
        ACT,
        "/jurisdictions/EU/",
        "/compare/?j=EU&j=US",
        "/",
        "/search/?q=artificial+intelligence&legal_force=binding",
    ],
)
def test_a_repeated_page_reads_the_record_once(signed_in, path, django_assert_max_num_queries):
    first = signed_in.get(path)
    with django_assert_max_num_queries(8):  # session, user, version, the reader's own rows
        second = signed_in.get(path)

    assert first.status_code == second.status_code == 200
    assert (first["X-Read-Cache"], second["X-Read-Cache"]) == ("miss", "hit")
    main = re.compile(rb"<main.*</main>", re.S)
    strip = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub(b"", main.search(first.content)[0]) == strip.sub(
        b"", main.search(second.content)[0]
    )


def test_a_publication_is_seen_by_the_next_page(signed_in):
    signed_in.get(ACT)
    act = Instrument.objects.get(slug="eu-ai-act")
    write("instrument", {"summary": "A summary the editors just published."}, row=act)

    after = signed_in.get(ACT)

    assert after["X-Read-Cache"] == "miss"
    assert "A summary the editors just published." in after.content.decode()


def test_what_a_reader_follows_is_their_own_on_a_kept_page(signed_in, reader, other):
    Watch.objects.create(user=reader, kind="instrument", value="eu-ai-act", label="AI Act")
    mine = signed_in.get(ACT)
    theirs = other.get(ACT)

    assert theirs["X-Read-Cache"] == "hit"
    assert "Following · stop" in mine.content.decode()
    assert "Following · stop" not in theirs.content.decode()
    # The form on the kept page carries the other reader's own token: following works.
    followed = other.post(
        "/watchlist/follow/", {"kind": "instrument", "value": "eu-ai-act", "next": ACT}
    )
    assert followed.status_code == 302
    assert Watch.objects.filter(user__username="other", value="eu-ai-act").exists()


def test_a_missing_or_retired_page_is_never_kept(signed_in):
    for _ in range(2):
        missing = signed_in.get("/instruments/no-such-act/")
        assert missing.status_code == 404 and "X-Read-Cache" not in missing
    signed_in.get(ACT)
    record.write(
        target="instrument",
        action=Action.RETIRE,
        row=Instrument.objects.get(slug="eu-ai-act"),
        why=Why.system("test"),
    )
    assert signed_in.get(ACT).status_code == 404


def test_another_day_is_its_own_page(signed_in):
    signed_in.get(ACT)
    assert signed_in.get(ACT + "?as_of=2024-01-01")["X-Read-Cache"] == "miss"


def test_a_page_asked_with_no_cache_is_computed_again(signed_in):
    signed_in.get(ACT)
    Instrument.objects.filter(slug="eu-ai-act").update(summary="Changed outside the trail.")

    assert "Changed outside the trail." not in signed_in.get(ACT).content.decode()
    fresh = signed_in.get(ACT, HTTP_CACHE_CONTROL="no-cache")

    assert fresh["X-Read-Cache"] == "miss"
    assert "Changed outside the trail." in fresh.content.decode()


SEARCH = "/search/?q=artificial+intelligence&page=1"


def test_a_kept_search_page_follows_with_the_readers_own_token(signed_in, django_user_model):
    signed_in.get(SEARCH)
    person = django_user_model.objects.create_user("strict", "strict@example.org", "pw-strict-1")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(person)
    theirs = strict.get(SEARCH)

    assert theirs["X-Read-Cache"] == "hit"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', theirs.content.decode())[1]
    followed = strict.post(
        "/watchlist/follow/",
        {
            "kind": "search",
            "value": "artificial intelligence",
            "next": SEARCH,
            "csrfmiddlewaretoken": token,
        },
    )
    assert followed.status_code == 302
    assert Watch.objects.filter(user=person, kind="search").exists()


def test_a_kept_search_fragment_is_its_own_query_strings(signed_in):
    one = signed_in.get("/search/?q=artificial+intelligence", HTTP_HX_REQUEST="true")
    other_sort = signed_in.get("/search/?q=artificial+intelligence&sort=title")

    assert one["X-Read-Cache"] == other_sort["X-Read-Cache"] == "miss"
    assert b"<html" not in one.content and b'class="hits"' in one.content
    # Each facet link keeps the page's own sort: never another query's links.
    assert b"sort=title" in other_sort.content and b"sort=title" not in one.content
