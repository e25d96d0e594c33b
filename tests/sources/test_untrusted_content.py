"""Fetched pages carrying script and event-handler payloads never run in the admin."""

import pytest
from django.urls import reverse

from apps.cases.models import Case
from apps.instruments.models import Instrument
from apps.sources import services
from apps.sources.models import Change, Snapshot, Source
from tests.local_http import Page
from tests.sources.queued import checks_queued

pytestmark = pytest.mark.django_db

HOSTILE = (
    "<p>Status: withdrawn &lt;script&gt;alert(1)&lt;/script&gt; "
    '&lt;img src=x onerror=alert(2)&gt; <a href="javascript:alert(3)">click</a></p>'
    '<script>alert(4)</script><div onmouseover="alert(5)">hover</div>'
)


@pytest.fixture
def hostile_change(local_site, settings):
    settings.SOURCES_ALLOW_PRIVATE = True
    local_site.pages["/p"] = Page(b"<p>Status: pending</p>")
    source = Source.objects.create(name="Hostile page", url=local_site.url("/p"), kind="html")
    source.instruments.add(Instrument.objects.get(slug="eu-ai-act"))
    services.check_source(source.pk)
    local_site.pages["/p"] = Page(HOSTILE.encode())
    assert services.check_source(source.pk).outcome == "changed"
    return Change.objects.get(source=source)


def _assert_inert(page: str) -> None:
    for live in (
        "<script>alert",
        "<img src=x onerror",
        'onmouseover="alert',
        '<a href="javascript',
    ):
        assert live not in page, live


def test_the_admin_diff_view_shows_payloads_escaped(client, superuser, hostile_change):
    client.force_login(superuser)
    page = client.get(reverse("admin:sources_change_change", args=[hostile_change.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    _assert_inert(body)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body  # shown, as text


def test_the_case_page_shows_payloads_escaped(client, superuser, hostile_change):
    case = Case.objects.get(source=hostile_change.source)
    client.force_login(superuser)
    body = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    _assert_inert(body)
    assert "&lt;img src=x onerror=alert(2)&gt;" in body


def test_the_raw_body_is_served_only_as_a_plain_text_download(client, superuser, hostile_change):
    client.force_login(superuser)
    snapshot = Snapshot.objects.filter(source=hostile_change.source).order_by("-sequence").first()
    response = client.get(reverse("admin:sources_snapshot_raw", args=[snapshot.pk]))
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"<script>alert(4)</script>" in response.content  # the evidence is kept whole


def test_the_source_list_shows_health_at_a_glance(client, superuser, hostile_change):
    client.force_login(superuser)
    body = client.get(reverse("admin:sources_source_changelist")).content.decode()
    assert "Hostile page" in body and "ok" in body


def test_editors_read_sources_and_machine_rows_are_read_only(client, hostile_change):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    editor = get_user_model().objects.create_user("ed", password="pw-ed-12345", is_staff=True)
    editor.groups.add(Group.objects.get(name="editor"))
    client.force_login(editor)
    assert client.get(reverse("admin:sources_source_changelist")).status_code == 200
    url = reverse("admin:sources_change_change", args=[hostile_change.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"significance": "low"}).status_code == 403
    assert Change.objects.get(pk=hostile_change.pk).significance == "high"


def test_check_now_queues_one_check_per_selected_active_source(client, superuser, hostile_change):
    client.force_login(superuser)
    paused = Source.objects.create(
        name="Paused", url="https://example.org/x", kind="html", active=False
    )
    with checks_queued() as queued:
        response = client.post(
            reverse("admin:sources_source_changelist"),
            {
                "action": "check_now",
                "_selected_action": [hostile_change.source_id, paused.pk],
            },
        )
    assert response.status_code == 302
    assert len(queued) == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/x",
        "file:///etc/passwd",
        "http://user:pw@example.org/",
        "http://169.254.169.254/",
    ],
)
def test_the_source_form_refuses_urls_the_watcher_would_never_fetch(client, superuser, url):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:sources_source_add"),
        {
            "name": "bad",
            "url": url,
            "kind": "html",
            "check_interval_minutes": 60,
            "active": "on",
            "ignore": "",
        },
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not Source.objects.filter(name="bad").exists()
