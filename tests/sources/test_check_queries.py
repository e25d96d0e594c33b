"""The queries of a check: pinned for the paths every watched source takes all day."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.sources import services
from apps.sources.models import Snapshot, Source
from tests.local_http import Page

pytestmark = pytest.mark.django_db

# Lock, record the attempt and read the source with its latest hash, success, unlock.
UNCHANGED_CHECK_QUERIES = 4


@pytest.fixture(autouse=True)
def _private_allowed(settings):
    settings.SOURCES_ALLOW_PRIVATE = True  # the local test server lives on 127.0.0.1


def _page(status: str) -> bytes:
    return f"<html><body><main><p>Status: {status}</p></main></body></html>".encode()


def _feed(*ids: int) -> bytes:
    items = "".join(f"<item><guid>n{i}</guid><title>Notice {i}</title></item>" for i in ids)
    return f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'.encode()


def _checked_source(local_site, page: Page, kind: str = "html") -> Source:
    local_site.pages["/p"] = page
    source = Source.objects.create(name="Gazette", url=local_site.url("/p"), kind=kind)
    assert services.check_source(source.pk).outcome == "baseline"
    return source


def test_an_unchanged_check_takes_four_queries(local_site, django_assert_num_queries):
    source = _checked_source(local_site, Page(_page("pending")))

    with django_assert_num_queries(UNCHANGED_CHECK_QUERIES):
        assert services.check_source(source.pk).outcome == "unchanged"


def test_a_304_takes_four_queries(local_site, django_assert_num_queries):
    source = _checked_source(local_site, Page(_page("pending"), etag='"v1"'))

    with django_assert_num_queries(UNCHANGED_CHECK_QUERIES):
        assert services.check_source(source.pk).outcome == "not_modified"


def test_an_unchanged_check_never_reads_the_stored_text_or_body(local_site):
    source = _checked_source(local_site, Page(_page("pending")))
    Snapshot.objects.filter(source=source).update(text="x" * 100_000, raw=b"y" * 100_000)
    # The hash still matches: only the text and body columns were made large.

    with CaptureQueriesContext(connection) as queries:
        assert services.check_source(source.pk).outcome == "unchanged"

    snapshot_columns = [f.column for f in Snapshot._meta.fields]
    assert "text" in snapshot_columns and "raw" in snapshot_columns
    for query in queries.captured_queries:
        assert '"text"' not in query["sql"] and '"raw"' not in query["sql"]
        assert "sources_snapshot.*" not in query["sql"]


def test_an_unchanged_feed_check_also_reads_the_remembered_items(
    local_site, django_assert_num_queries
):
    source = _checked_source(local_site, Page(_feed(1, 2), "application/rss+xml"), kind="feed")
    local_site.pages["/p"] = Page(_feed(2), "application/rss+xml")  # n1 scrolled off

    with django_assert_num_queries(UNCHANGED_CHECK_QUERIES + 1):
        assert services.check_source(source.pk).outcome == "unchanged"


def test_a_change_still_diffs_against_the_stored_text(local_site):
    source = _checked_source(local_site, Page(_page("pending")))
    local_site.pages["/p"] = Page(_page("withdrawn"))

    result = services.check_source(source.pk)

    assert result.outcome == "changed"
    assert [(d["op"], d["old"], d["new"]) for d in result.change.diff if d["op"] != "equal"] == [
        ("replace", "Status: pending", "Status: withdrawn")
    ]
    assert result.change.before.sequence == 1 and result.change.after.sequence == 2
