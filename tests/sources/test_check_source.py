"""One check of a source against a real local HTTP server serving changing content."""

import json

import pytest
from django.core.management import call_command

from apps.cases.models import Case, Evidence
from apps.instruments.models import Instrument
from apps.sources import services
from apps.sources.models import Change, Snapshot, Source
from tests.local_http import Page

pytestmark = pytest.mark.django_db

PAGE = (
    "<html><body><main><h1>AI Liability Directive</h1><p>Status: {status}</p></main>"
    "{extra}</body></html>"
)


@pytest.fixture(autouse=True)
def _private_allowed(settings):
    settings.SOURCES_ALLOW_PRIVATE = True  # the local test server lives on 127.0.0.1


def _html(status: str, extra: str = "") -> bytes:
    return PAGE.format(status=status, extra=extra).encode()


def _source(local_site, path="/page", **fields) -> Source:
    source = Source.objects.create(
        name="EUR-Lex procedure",
        url=local_site.url(path),
        kind=fields.pop("kind", "html"),
        **fields,
    )
    source.instruments.add(Instrument.objects.get(slug="eu-ai-liability-directive"))
    return source


def test_the_first_check_stores_a_baseline_and_no_change(local_site):
    local_site.pages["/page"] = Page(_html("pending"))
    source = _source(local_site)
    assert services.check_source(source.pk).outcome == "baseline"
    assert Snapshot.objects.filter(source=source).count() == 1
    assert not Change.objects.exists() and not Case.objects.filter(source=source).exists()


def test_unchanged_content_gives_no_snapshot_and_no_change(local_site):
    local_site.pages["/page"] = Page(_html("pending"))
    source = _source(local_site)
    services.check_source(source.pk)
    assert services.check_source(source.pk).outcome == "unchanged"
    assert Snapshot.objects.filter(source=source).count() == 1
    assert not Change.objects.filter(source=source).exists()


def test_a_304_gives_no_snapshot_and_no_change(local_site):
    local_site.pages["/page"] = Page(_html("pending"), etag='"v1"')
    source = _source(local_site)
    services.check_source(source.pk)
    assert Source.objects.get(pk=source.pk).etag == '"v1"'
    assert services.check_source(source.pk).outcome == "not_modified"
    assert Snapshot.objects.filter(source=source).count() == 1


def test_a_changing_script_request_id_alone_gives_no_change(local_site):
    local_site.pages["/page"] = Page(_html("pending", '<script>var rid="a1";</script>'))
    source = _source(local_site)
    services.check_source(source.pk)
    local_site.pages["/page"] = Page(_html("pending", '<script>var rid="b2";</script>'))
    assert services.check_source(source.pk).outcome == "unchanged"


def test_a_volatile_json_field_alone_gives_no_change(local_site, fixtures_dir):
    data = json.loads(
        (fixtures_dir / "federalregister_v1__document_2019-02544_EO13859_AI.json").read_text()
    )
    local_site.pages["/doc.json"] = Page(json.dumps(data).encode(), "application/json")
    source = _source(local_site, "/doc.json", kind="json")
    services.check_source(source.pk)
    data["page_views"] = {"count": 999999, "last_updated": "2030-01-01"}
    local_site.pages["/doc.json"] = Page(json.dumps(data).encode(), "application/json")
    assert services.check_source(source.pk).outcome == "unchanged"


def test_a_real_change_gives_one_change_and_one_case_even_when_run_twice(local_site):
    local_site.pages["/page"] = Page(_html("pending"))
    source = _source(local_site)
    services.check_source(source.pk)
    local_site.pages["/page"] = Page(_html("withdrawn"))
    result = services.check_source(source.pk)
    assert result.outcome == "changed"
    assert services.check_source(source.pk).outcome == "unchanged"  # the task ran twice
    change = Change.objects.get(source=source)
    assert change.significance == "high" and any("withdraw" in r for r in change.reasons)
    case = Case.objects.get(source=source)
    assert case.kind == "source_change" and case.instrument.slug == "eu-ai-liability-directive"
    evidence = case.evidence.get()
    assert evidence.source_change == change
    assert "- Status: pending" in evidence.text and "+ Status: withdrawn" in evidence.text


def test_a_second_change_joins_the_open_case_of_the_same_instrument(local_site):
    local_site.pages["/page"] = Page(_html("pending"))
    source = _source(local_site)
    services.check_source(source.pk)
    local_site.pages["/page"] = Page(_html("withdrawal announced"))
    services.check_source(source.pk)
    local_site.pages["/page"] = Page(_html("withdrawn"))
    services.check_source(source.pk)
    assert Change.objects.filter(source=source).count() == 2
    case = Case.objects.get(source=source)
    assert Evidence.objects.filter(case=case).count() == 2


def test_fetch_errors_count_toward_health_and_report_broken_only_after_n(local_site, settings):
    settings.SOURCES_BROKEN_AFTER = 3
    source = _source(local_site, "/missing")
    for expected in ("failed", "failed", "broken", "broken"):
        assert services.check_source(source.pk).outcome == expected
    source.refresh_from_db()
    assert source.consecutive_failures == 4 and "404" in source.last_error
    broken = Case.objects.filter(title__startswith="Source broken")
    assert broken.count() == 1  # reported once, not once per failure
    assert not Change.objects.exists()
    local_site.pages["/missing"] = Page(_html("back"))
    services.check_source(source.pk)
    source.refresh_from_db()
    assert source.consecutive_failures == 0 and source.broken_since is None


def test_a_selector_matching_nothing_reports_the_source_broken_not_changed(local_site):
    local_site.pages["/page"] = Page(_html("pending"))
    source = _source(local_site, selector="#does-not-exist")
    assert services.check_source(source.pk).outcome == "broken"
    assert not Snapshot.objects.exists()
    assert Case.objects.filter(title__startswith="Source broken").count() == 1


def test_a_feed_item_that_scrolls_off_is_not_a_removal(local_site):
    def feed(*ids: int) -> bytes:
        items = "".join(
            f"<item><guid>n{i}</guid><title>Notice {i}</title>"
            f"<link>https://example.org/{i}</link></item>"
            for i in ids
        )
        head = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        return f"{head}{items}</channel></rss>".encode()

    local_site.pages["/feed"] = Page(feed(1, 2, 3), "application/rss+xml")
    source = _source(local_site, "/feed", kind="feed")
    services.check_source(source.pk)
    local_site.pages["/feed"] = Page(feed(2, 3), "application/rss+xml")
    assert services.check_source(source.pk).outcome == "unchanged"
    local_site.pages["/feed"] = Page(feed(2, 3, 4), "application/rss+xml")
    result = services.check_source(source.pk)
    assert result.outcome == "changed" and result.change.new_items == 1
    assert result.change.significance in ("medium", "high")


def test_the_debug_command_runs_one_check(local_site, capsys):
    local_site.pages["/page"] = Page(_html("pending"))
    source = _source(local_site)
    call_command("check_source", source.pk)
    assert "EUR-Lex procedure: baseline" in capsys.readouterr().out


def test_private_addresses_are_refused_unless_allowed(local_site, settings):
    settings.SOURCES_ALLOW_PRIVATE = False
    local_site.pages["/page"] = Page(_html("pending"))
    source = _source(local_site)
    assert services.check_source(source.pk).outcome == "failed"
    assert local_site.hits == []  # refused before any request reached the server
    assert "not a public address" in Source.objects.get(pk=source.pk).last_error


def test_a_change_during_review_opens_a_new_case_instead_of_growing_the_reviewed_one(local_site):
    from apps.cases.models import Case as CaseModel

    local_site.pages["/page"] = Page(_html("pending"))
    source = _source(local_site)
    services.check_source(source.pk)
    local_site.pages["/page"] = Page(_html("withdrawal announced"))
    services.check_source(source.pk)
    first = CaseModel.objects.get(source=source)
    CaseModel.objects.filter(pk=first.pk).update(state="in_review")
    local_site.pages["/page"] = Page(_html("withdrawn"))
    services.check_source(source.pk)
    assert first.evidence.count() == 1
    assert CaseModel.objects.filter(source=source).count() == 2


def test_a_failed_check_is_retried_sooner_than_the_regular_interval(local_site):
    from django.utils import timezone

    source = _source(local_site, "/missing", check_interval_minutes=1440)
    services.check_source(source.pk)
    source.refresh_from_db()
    wait = (source.next_check_at - timezone.now()).total_seconds()
    assert 60 < wait <= 120  # about two minutes, not a day
    services.check_source(source.pk)
    source.refresh_from_db()
    assert 150 < (source.next_check_at - timezone.now()).total_seconds() <= 240


def test_a_full_feed_memory_forgets_old_items_never_the_ones_on_the_feed(local_site, monkeypatch):
    monkeypatch.setattr(services, "FEED_MEMORY", 3)

    def feed(*ids: str) -> bytes:
        items = "".join(f"<item><guid>{i}</guid><title>{i}</title></item>" for i in ids)
        head = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        return f"{head}{items}</channel></rss>".encode()

    local_site.pages["/feed"] = Page(feed("m", "n", "o"), "application/rss+xml")
    source = _source(local_site, "/feed", kind="feed")
    services.check_source(source.pk)
    # "a" sorts first but is the newest item: it must not be dropped by the cap.
    local_site.pages["/feed"] = Page(feed("a", "n", "o"), "application/rss+xml")
    result = services.check_source(source.pk)
    assert result.outcome == "changed" and result.change.new_items == 1
    assert [line.split("\t")[0] for line in result.change.after.text.splitlines()] == [
        "a",
        "n",
        "o",
    ]


def test_a_paused_source_is_neither_fetched_nor_marked_attempted(local_site):
    local_site.pages["/page"] = Page(_html("pending"))
    source = _source(local_site, active=False)
    assert services.check_source(source.pk).outcome == "paused"
    assert local_site.hits == []
    assert Source.objects.get(pk=source.pk).last_attempt_at is None


def test_a_check_of_a_deleted_source_raises_does_not_exist(local_site):
    source = _source(local_site)
    source_id = source.pk
    source.delete()
    with pytest.raises(Source.DoesNotExist):
        services.check_source(source_id)


def test_a_failed_check_records_its_attempt_and_no_success(local_site):
    source = _source(local_site, "/missing")
    assert services.check_source(source.pk).outcome == "failed"
    source.refresh_from_db()
    assert source.last_attempt_at is not None and source.last_success_at is None
