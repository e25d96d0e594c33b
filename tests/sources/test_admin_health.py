"""Watched sources in the admin: health at a glance, links to changes and cases, "Check now"."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.cases.models import Case
from apps.instruments.models import Instrument
from apps.sources import services as watcher
from apps.sources.models import Change, HostSlot, Source
from tests.local_http import Page
from tests.sources.queued import checks_queued

pytestmark = pytest.mark.django_db

SOURCES = reverse("admin:sources_source_changelist")


def _source(name: str, **fields) -> Source:
    defaults = {"url": f"https://gazette.example.org/{name}", "kind": "html"}
    return Source.objects.create(name=f"Testland {name}", **{**defaults, **fields})


def _badge(html: str, state: str) -> str:
    found = re.search(rf'<span class="health health-{state}"[^>]*>([^<]*)</span>', html)
    assert found, f"no {state} badge"
    return found.group(1)


def _check_now(client, source: Source):
    return client.post(reverse("admin:sources_source_check_now", args=[source.pk]), follow=True)


def test_the_list_shows_each_source_health_as_a_badge_with_its_last_success(client, cast):
    now = timezone.now()
    _source("ok", last_success_at=now - timedelta(hours=1))
    _source("failing", last_success_at=now - timedelta(hours=2), consecutive_failures=2)
    _source("broken", consecutive_failures=5, broken_since=now)
    _source("paused", active=False)
    _source("quiet", last_success_at=now - timedelta(days=3))  # nothing failed, nothing ran

    client.force_login(cast["editor"])
    html = client.get(SOURCES, {"q": "Testland"}).content.decode()

    assert _badge(html, "ok") == "ok"
    assert _badge(html, "failing") == "failing (2)"
    assert _badge(html, "broken") == "broken"
    assert _badge(html, "paused") == "paused"
    assert _badge(html, "stale") == "stale"
    assert "last success: <time" in html and "(1\xa0hour ago)" in html
    assert "last success: never" in html
    assert "sources/health.css" in html  # the badges' colours, from a file the CSP allows


def test_the_source_page_shows_its_health_with_the_last_error(client, cast):
    source = _source("failing", consecutive_failures=1, last_error="HTTP 503 from the server")
    client.force_login(cast["editor"])
    html = client.get(reverse("admin:sources_source_change", args=[source.pk])).content.decode()
    assert _badge(html, "failing") == "failing (1)"
    assert "HTTP 503 from the server" in html


def test_a_source_links_to_its_changes_and_their_case_and_a_change_links_back(
    client, cast, local_site, settings
):
    settings.SOURCES_ALLOW_PRIVATE = True  # the local test server lives on 127.0.0.1
    source = _source("procedure", url=local_site.url("/p"))
    source.instruments.add(Instrument.objects.get(slug="eu-ai-liability-directive"))
    local_site.pages["/p"] = Page(b"<html><body><p>Status: pending</p></body></html>")
    watcher.check_source(source.pk)
    local_site.pages["/p"] = Page(b"<html><body><p>Status: withdrawn</p></body></html>")
    watcher.check_source(source.pk)
    change = Change.objects.get(source=source)
    case = Case.objects.get(evidence__source_change=change)
    case_url = reverse("admin:cases_case_change", args=[case.pk])
    change_url = reverse("admin:sources_change_change", args=[change.pk])
    source_url = reverse("admin:sources_source_change", args=[source.pk])
    client.force_login(cast["editor"])

    source_page = client.get(source_url).content.decode()
    assert f'href="{change_url}"' in source_page
    assert f'href="{case_url}">#{case.pk} Testland procedure changed</a> (new)' in source_page

    change_page = client.get(change_url).content.decode()
    assert f'href="{source_url}"' in change_page
    assert f'href="{case_url}"' in change_page

    change_list = client.get(reverse("admin:sources_change_changelist")).content.decode()
    assert f'href="{case_url}"' in change_list


# -- Check now ---------------------------------------------------------------------


def test_an_editor_who_may_only_view_sources_is_refused_check_now_with_the_reason(client, cast):
    source = _source("gazette")
    client.force_login(cast["editor"])

    listed = client.get(SOURCES).content.decode()
    assert 'value="check_now"' not in listed
    assert "Only those who may change sources (administrators) can start a check" in listed
    page = client.get(reverse("admin:sources_source_change", args=[source.pk])).content.decode()
    assert "Check now: Only those who may change sources" in page

    with checks_queued() as queued:
        refused = _check_now(client, source)

    assert refused.status_code == 403
    assert "Only those who may change sources (administrators)" in refused.content.decode()
    assert queued == []
    source.refresh_from_db()
    assert source.claim_expires_at is None


def test_check_now_on_a_paused_source_says_it_is_paused_and_queues_nothing(client, cast):
    source = _source("paused", active=False)
    client.force_login(cast["administrator"])

    with checks_queued() as queued:
        response = client.post(
            SOURCES, {"action": "check_now", "_selected_action": [source.pk]}, follow=True
        )

    html = response.content.decode()
    assert "“Testland paused” is paused, so it was not checked" in html
    assert "0 check(s) queued" not in html
    assert queued == []
    page = client.get(reverse("admin:sources_source_change", args=[source.pk])).content.decode()
    assert "Check now: this source is paused" in page


def test_an_administrator_queues_checks_in_their_hosts_turn_and_only_once(client, cast, settings):
    settings.SOURCES_HOST_SPACING = 10
    first, second = _source("first"), _source("second")
    client.force_login(cast["administrator"])

    with checks_queued() as queued:
        html = client.post(
            SOURCES, {"action": "check_now", "_selected_action": [first.pk, second.pk]}, follow=True
        ).content.decode()

    assert len(queued) == 2
    assert "Check of “Testland first” queued: it starts now." in html
    assert (
        "Check of “Testland second” queued: it starts in 10 s, "
        "after earlier requests to gazette.example.org." in html
    )
    for source in (first, second):
        source.refresh_from_db()
        assert source.claim_expires_at is not None  # claimed like a dispatched check

    with checks_queued() as again:
        html = _check_now(client, first).content.decode()
    assert again == []
    assert "already has a check queued or running" in html


def test_check_now_waits_for_the_slot_the_dispatcher_already_gave_the_host(client, cast):
    source = _source("busy")
    HostSlot.objects.create(
        host="gazette.example.org", next_free_at=timezone.now() + timedelta(seconds=30)
    )
    client.force_login(cast["administrator"])

    with checks_queued() as queued:
        html = _check_now(client, source).content.decode()

    assert len(queued) == 1
    assert re.search(r"queued: it starts in (29|30) s, after earlier requests", html)


def test_the_health_filter_finds_the_same_sources_as_their_badges(client, cast):
    from apps.sources.health import by_health, health

    now = timezone.now()
    made = [
        _source("ok", last_success_at=now - timedelta(hours=1)),
        _source("failing", last_success_at=now - timedelta(hours=2), consecutive_failures=2),
        _source("broken", consecutive_failures=5, broken_since=now),
        _source("paused", active=False),
        _source("quiet", last_success_at=now - timedelta(days=3)),
        _source("hourly", last_success_at=now - timedelta(hours=20), check_interval_minutes=60),
        _source("weekly", last_success_at=now - timedelta(days=8), check_interval_minutes=4320),
        _source("added"),
    ]
    Source.objects.filter(name="Testland added").update(created_at=now - timedelta(minutes=5))
    ours = Source.objects.filter(pk__in=[s.pk for s in made])
    client.force_login(cast["editor"])
    for state in ("ok", "failing", "broken", "paused", "stale", "new"):
        expected = {s.name for s in ours if health(s, now).state == state}
        assert {s.name for s in by_health(ours, state, now)} == expected, state
        listed = client.get(SOURCES, {"health": state, "q": "Testland"}).content.decode()
        for name in expected:
            assert name in listed
    assert health(ours.get(name="Testland hourly"), now).state == "ok"  # a day at least
    assert health(ours.get(name="Testland weekly"), now).state == "ok"  # three intervals
    assert health(ours.get(name="Testland added"), now).state == "new"
