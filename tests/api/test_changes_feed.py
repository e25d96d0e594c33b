"""The changes feed: walked with `after=`, every change exactly once, in public terms."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from apps.cases.models import Case
from apps.instruments.models import Instrument
from apps.record.models import AppliedChange
from apps.record.services import Why, write
from tests.helpers import make_testland_law

pytestmark = pytest.mark.django_db


def _touch(slug: str, summary: str, reason: str = "test") -> None:
    row = Instrument.objects.get(slug=slug)
    write(
        target="instrument",
        row=row,
        values={"summary": summary},
        base_version=row.version,
        why=Why.system(reason),
    )


def _walk(api, after: int = 0, limit: int = 50) -> tuple[list[dict], int]:
    seen: list[dict] = []
    while True:
        page = api.get("/api/v1/changes/", {"after": after, "limit": limit}).json()
        seen.extend(page["results"])
        after = page["last_id"]
        if not page["more"]:
            return seen, after


def test_walking_the_feed_sees_every_change_once_in_order(api):
    _touch("eu-ai-act", "First rewrite.")
    _touch("us-eo-14110", "Second rewrite.")
    seen, last = _walk(api, limit=37)
    ids = [item["id"] for item in seen]
    assert ids == sorted(set(ids))
    assert ids == list(AppliedChange.objects.order_by("id").values_list("id", flat=True))
    _touch("eu-ai-act", "Third rewrite.")
    newer, _ = _walk(api, after=last)
    assert [i["entity"]["id"] for i in newer] == ["eu-ai-act"]
    assert newer[0]["changes"]["summary"] == {"before": "First rewrite.", "after": "Third rewrite."}


def test_an_item_names_rows_by_stable_ids_and_hides_editorial_flags(api):
    seen, _ = _walk(api, limit=500)
    parties = next(
        i
        for i in seen
        if i["entity"]["kind"] == "instrument"
        and "parties" in i["changes"]
        and i["changes"]["parties"]["after"]
    )
    party = parties["changes"]["parties"]["after"][0]
    assert isinstance(party["jurisdiction"], str) and party["jurisdiction"].isupper()
    obligations = [i for i in seen if i["entity"]["kind"] == "obligation"]
    assert obligations and all("needs_review" not in i["changes"] for i in obligations)
    assert all(":" in i["entity"]["id"] for i in obligations)
    assert all(
        isinstance(c, str)
        for i in seen
        for c in (i["changes"].get("citations", {}).get("after") or [])
    )


def test_a_published_case_gives_its_public_reason(api):
    case = Case.objects.create(
        title="internal title", kind="correction", public_reason="Summary corrected."
    )
    row = Instrument.objects.get(slug="eu-ai-act")
    write(
        target="instrument",
        row=row,
        values={"summary": "Corrected."},
        base_version=row.version,
        why=Why(origin="case", case=case, proposer=None, approver=None, reason=""),
    )
    last = api.get(
        "/api/v1/changes/", {"after": AppliedChange.objects.order_by("-id")[1].pk}
    ).json()
    assert last["results"][-1]["reason"] == "Summary corrected."


def test_a_case_without_a_public_reason_never_publishes_its_title(api):
    """A reader's report is titled with the reader's name: the desk's words stay in the desk."""
    case = Case.objects.create(title="Reader report from jane.doe", kind="reader_request")
    row = Instrument.objects.get(slug="eu-ai-act")
    write(
        target="instrument",
        row=row,
        values={"summary": "Corrected after a report."},
        base_version=row.version,
        why=Why(origin="case", case=case, proposer=None, approver=None, reason=""),
    )
    after = AppliedChange.objects.order_by("-id")[1].pk
    body = api.get("/api/v1/changes/", {"after": after}).content.decode()

    assert "jane.doe" not in body and "Reader report" not in body
    assert api.get("/api/v1/changes/", {"after": after}).json()["results"][-1]["reason"] == (
        "Instrument updated by the editors."
    )


def test_a_change_committed_while_a_client_walks_is_on_a_later_page_never_skipped(
    api, transactional_db, django_db_blocker
):
    """A writer commits changes while a reader walks page by page; the reader sees them all."""
    # Transactional tests run after the others, on a database without the seed.
    make_testland_law()
    start = AppliedChange.objects.order_by("-id").values_list("id", flat=True).first() or 0
    written: list[int] = []
    errors: list[BaseException] = []

    def writer():
        try:
            for n in range(12):
                _touch("zz-law", f"Concurrent rewrite {n}.")
            written.extend(AppliedChange.objects.filter(id__gt=start).values_list("id", flat=True))
        except BaseException as exc:  # surfaced in the main thread
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    seen: list[int] = []
    after = start
    while thread.is_alive() or True:
        page = api.get("/api/v1/changes/", {"after": after, "limit": 3}).json()
        seen.extend(item["id"] for item in page["results"])
        after = page["last_id"]
        if not thread.is_alive() and not page["more"] and not page["results"]:
            break
    thread.join()
    assert not errors
    assert seen == sorted(set(seen)) == sorted(written)


@pytest.mark.parametrize(
    ("query", "parameter", "message"),
    [
        ("limit=0", "limit", "a whole number from 1 to 1000"),
        ("limit=1001", "limit", "a whole number from 1 to 1000"),
        ("limit=ten", "limit", "a whole number from 1 to 1000"),
        ("after=-1", "after", f"a whole number from 0 to {2**62}"),
        (f"after={2**62 + 1}", "after", f"a whole number from 0 to {2**62}"),
    ],
)
def test_a_limit_or_after_outside_its_range_is_refused_with_the_range(
    api, settings, query, parameter, message
):
    settings.API_MAX_PAGE_SIZE = 100

    response = api.get(f"/api/v1/changes/?{query}")

    assert response.status_code == 400
    assert response.json()["errors"] == [{"parameter": parameter, "message": message}]


def test_the_ends_of_each_range_are_allowed_and_a_page_is_a_hundred_changes_by_default(
    api, settings
):
    settings.API_MAX_PAGE_SIZE = 100
    for query in ("limit=1", "limit=1000", "after=0", f"after={2**62}"):
        assert api.get(f"/api/v1/changes/?{query}").status_code == 200, query

    page = api.get("/api/v1/changes/").json()

    assert "limit=100" in page["next"]
    assert page["next"].endswith(f"after={page['last_id']}&limit=100")
