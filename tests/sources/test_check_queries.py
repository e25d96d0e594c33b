"""The queries of a check: pinned for the paths every watched source takes all day."""

import re

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from apps.sources import services
from apps.sources.models import Snapshot, Source
from tests.local_http import Page

pytestmark = pytest.mark.django_db

# In a worker (autocommit): lock and read the source with its latest hash in one
# round trip; success (with the attempt), commit and unlock in another.
WORKER_ROUND_TRIPS = 2
# Inside a test's transaction the success joins the caller's commit, so the unlock
# cannot follow a commit in the same round trip: three.
UNCHANGED_CHECK_QUERIES = 3
WRITE = re.compile(r"\b(UPDATE|INSERT|DELETE)\b")


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


def test_an_unchanged_check_takes_three_queries_inside_a_transaction(
    local_site, django_assert_num_queries
):
    source = _checked_source(local_site, Page(_page("pending")))

    with django_assert_num_queries(UNCHANGED_CHECK_QUERIES):
        assert services.check_source(source.pk).outcome == "unchanged"


def test_a_304_takes_three_queries_inside_a_transaction(local_site, django_assert_num_queries):
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


def _writes(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if WRITE.search(q["sql"])]


# Transactional: the check runs in autocommit, as in a worker, not inside a test's
# transaction (where the bookkeeping joins the caller's commit instead).
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("page", "outcome"),
    [(Page(_page("pending")), "unchanged"), (Page(_page("pending"), etag='"v1"'), "not_modified")],
)
def test_an_unchanged_check_commits_one_write_which_records_the_attempt_too(
    local_site, page, outcome
):
    source = _checked_source(local_site, page)
    Source.objects.filter(pk=source.pk).update(last_attempt_at=None, last_success_at=None)

    with CaptureQueriesContext(connection) as queries:
        assert services.check_source(source.pk).outcome == outcome

    assert len(queries.captured_queries) == WORKER_ROUND_TRIPS
    [write] = _writes(queries)
    assert "UPDATE sources_source SET last_attempt_at" in write
    # Its commit does not wait for the disk: that wait was half of the check.
    assert write.lstrip().startswith("SET LOCAL synchronous_commit TO OFF;")
    # The same round trip commits, then frees the source for the next check.
    assert re.search(r"COMMIT;\s*SELECT pg_advisory_unlock", write)
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT pg_try_advisory_lock(%s, %s)", [services._LOCK_NAMESPACE, source.pk]
            )
            assert cursor.fetchone() == (True,)
    finally:
        other.close()
    source.refresh_from_db()
    assert source.last_attempt_at is not None
    assert source.last_success_at >= source.last_attempt_at
    with connection.cursor() as cursor:  # for that one transaction only
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)


def test_a_change_commits_the_usual_way_waiting_for_the_disk(local_site):
    source = _checked_source(local_site, Page(_page("pending")))
    local_site.pages["/p"] = Page(_page("withdrawn"))

    with CaptureQueriesContext(connection) as queries:
        assert services.check_source(source.pk).outcome == "changed"

    assert _writes(queries)
    assert not [sql for sql in _writes(queries) if "synchronous_commit" in sql]


def test_a_failed_check_still_records_its_attempt_and_its_error(local_site):
    source = _checked_source(local_site, Page(_page("pending")))
    Source.objects.filter(pk=source.pk).update(last_attempt_at=None)
    del local_site.pages["/p"]  # now a 404

    assert services.check_source(source.pk).outcome == "failed"

    source.refresh_from_db()
    assert source.last_attempt_at is not None
    assert source.consecutive_failures == 1 and "404" in source.last_error


def test_a_selector_that_matches_nothing_still_records_its_attempt(local_site):
    source = _checked_source(local_site, Page(_page("pending")))
    Source.objects.filter(pk=source.pk).update(last_attempt_at=None, selector="#gone")

    assert services.check_source(source.pk).outcome == "broken"

    source.refresh_from_db()
    assert source.last_attempt_at is not None and source.broken_since is not None


def test_inside_a_callers_transaction_the_check_leaves_its_durability_alone(local_site):
    source = _checked_source(local_site, Page(_page("pending")))  # in the test's transaction

    assert services.check_source(source.pk).outcome == "unchanged"

    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)
