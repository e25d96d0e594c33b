"""Bulk snapshots (issue 27): a client that loads the newest snapshot and follows the
changes feed from its version ends with exactly the live record."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
from urllib.parse import urlsplit

import pytest
from rest_framework.test import APIClient

from apps.amendments.models import Amendment
from apps.api import snapshots
from apps.cases import services
from apps.cases.models import State
from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction
from apps.obligations.models import Obligation
from tests.helpers import case_proposing, move, publish

pytestmark = pytest.mark.django_db

ENDPOINTS = {r.name: f"/api/v1/{r.name}/" for r in snapshots.RESOURCES}
KINDS = {"jurisdiction": "jurisdictions", "instrument": "instruments",
         "obligation": "obligations", "amendment": "amendments"}  # fmt: skip
INCLUDE = {r.name: ",".join(r.include) for r in snapshots.RESOURCES}


@pytest.fixture
def snapshot_dir(settings, tmp_path):
    settings.SNAPSHOTS_DIR = tmp_path / "snapshots"
    # Rows in a snapshot are linked on SITE_URL; the live answers on the test client's host.
    settings.SITE_URL = "http://testserver"
    return settings.SNAPSHOTS_DIR


def _download(api, url: str) -> bytes:
    answer = api.get(urlsplit(url).path)
    assert answer.status_code == 200, answer.content[:300]
    return b"".join(answer.streaming_content)


def load_newest(api) -> tuple[int, dict[str, dict]]:
    """What a client does first: the newest snapshot's JSON Lines, checked by their sums."""
    [newest, *_] = api.get("/api/v1/snapshots/").json()["results"]
    record: dict[str, dict] = {}
    for entry in newest["files"]:
        body = _download(api, entry["url"])
        assert hashlib.sha256(body).hexdigest() == entry["sha256"] and len(body) == entry["size"]
        if entry["format"] == "jsonl":
            lines = gzip.decompress(body).decode().splitlines()
            record[entry["resource"]] = {row["id"]: row for row in map(json.loads, lines)}
    return newest["record_version"], record


def _refetch(api, record, resource: str, stable_id: str) -> None:
    answer = api.get(f"{ENDPOINTS[resource]}{stable_id}/", {"include": INCLUDE[resource]})
    if answer.status_code == 404:  # retired, or no longer law
        record[resource].pop(stable_id, None)
    else:
        assert answer.status_code == 200, answer.content[:300]
        record[resource][stable_id] = answer.json()


def follow(api, record, after: int) -> int:
    """Then the feed: each change names a row to fetch again (or to drop, on a 404)."""
    while True:
        page = api.get("/api/v1/changes/", {"after": after, "limit": 100}).json()
        for item in page["results"]:
            _refetch(api, record, KINDS[item["entity"]["kind"]], item["entity"]["id"])
        after = page["last_id"]
        if not page["more"]:
            return after


def live(api) -> dict[str, dict]:
    out = {}
    for resource, endpoint in ENDPOINTS.items():
        rows, page = {}, 1
        while True:
            body = api.get(
                endpoint, {"include": INCLUDE[resource], "page_size": 100, "page": page}
            ).json()
            rows.update((row["id"], row) for row in body["results"])
            if not body["next"]:
                break
            page += 1
        out[resource] = rows
    return out


def _case(editor, title):
    return move(
        services.case_open(title=title, kind="correction", created_by=editor),
        editor, State.TRIAGED, State.IN_PROGRESS,
    )  # fmt: skip


def twenty_publications(cast) -> tuple[int, Amendment]:
    editor, reviewer = cast["editor"], cast["reviewer"]
    done = 0

    def update(row, values):
        nonlocal done
        publish(case_proposing(editor, row, values, title=f"Update {done}"), editor, reviewer)
        done += 1

    for instrument in Instrument.objects.published().order_by("pk")[:9]:
        update(instrument, {"summary": f"{instrument.summary} Reviewed again."})
    for obligation in Obligation.objects.published().order_by("pk")[:3]:
        update(obligation, {"requirement": f"{obligation.requirement} (restated)"})
    for jurisdiction in Jurisdiction.objects.published().order_by("pk")[:2]:
        update(jurisdiction, {"summary": f"{jurisdiction.summary} Swept again."})
    for amendment in Amendment.objects.published().order_by("pk")[:2]:
        update(amendment, {"summary": f"{amendment.summary} Restated."})
    # An amendment in force, with effects, put off: the obligations it changed are back
    # to their own values (the write path flags them for review, so the feed names them).
    moved = (
        Amendment.objects.published()
        .filter(effective_on__lt=dt.date.today(), effects__isnull=False)
        .order_by("pk")
        .first()
    )
    update(moved, {"effective_on": "2099-01-01", "effective_on_precision": "day"})

    created = _case(editor, "A new law")
    country = Jurisdiction.objects.published().order_by("pk").first()
    values = {"slug": "zz-snapshot-act", "title": "Snapshot Act", "kind": "law",
              "jurisdiction": country.pk, "legal_force": "binding"}  # fmt: skip
    services.change_propose(
        case=created, actor=editor, target="instrument", action="create", values=values
    )
    publish(created, editor, reviewer)
    done += 1

    for obligation in Obligation.objects.published().order_by("-pk")[:2]:
        retired = _case(editor, f"Retire {obligation.pk}")
        services.change_propose(
            case=retired,
            actor=cast["reviewer"],
            target="obligation",
            action="retire",
            row=obligation,
        )
        publish(retired, editor, cast["reviewer2"])  # four eyes: not its proposer
        done += 1
    return done, moved


def test_a_client_that_loads_the_snapshot_and_follows_the_feed_has_the_live_record(
    api, cast, snapshot_dir
):
    made = snapshots.cut()
    published, moved = twenty_publications(cast)
    assert published == 20

    version, record = load_newest(api)
    assert made.name.endswith(f"-v{version}")
    before = {resource: dict(rows) for resource, rows in record.items()}
    follow(api, record, version)

    now = live(api)
    assert record == now
    assert record != before, "the publications changed what the client holds"
    assert "zz-snapshot-act" in record["instruments"]
    amended = [f"{e.obligation.instrument.slug}:{e.obligation.key}" for e in moved.effects.all()]
    assert any(before["obligations"][o] != record["obligations"][o] for o in amended)


def test_the_snapshot_is_the_api_list_row_for_row_and_its_csv_has_the_same_rows(api, snapshot_dir):
    made = snapshots.cut()
    manifest = json.loads((made / "manifest.json").read_text())
    whole = live(api)
    for entry in manifest["files"]:
        body = gzip.decompress((made / entry["name"]).read_bytes()).decode()
        if entry["format"] == "jsonl":
            rows = [json.loads(line) for line in body.splitlines()]
            assert {row["id"]: row for row in rows} == whole[entry["resource"]]
        else:
            import csv

            rows = list(csv.DictReader(io.StringIO(body)))
            assert sorted(r["id"] for r in rows) == sorted(whole[entry["resource"]])
        assert entry["rows"] == len(rows) == len(whole[entry["resource"]]) > 0


def test_snapshots_need_a_key_even_when_anonymous_reads_are_allowed(api, settings, snapshot_dir):
    settings.API_ANONYMOUS_READ = True
    snapshots.cut()
    [listed] = api.get("/api/v1/snapshots/").json()["results"]
    url = urlsplit(listed["files"][0]["url"]).path

    anonymous = APIClient()
    for path in ("/api/v1/snapshots/", url):
        answer = anonymous.get(path)
        assert answer.status_code in (401, 403)
        assert answer["Content-Type"] == "application/problem+json"
    assert anonymous.get(ENDPOINTS["instruments"]).status_code == 200


def test_only_files_a_manifest_lists_are_served(api, snapshot_dir):
    made = snapshots.cut()
    (made / "secret.txt").write_text("not part of the snapshot")
    for name in ("secret.txt", "manifest.json", "..%2Fmanifest.json", "nope.jsonl.gz"):
        assert api.get(f"/api/v1/snapshots/{made.name}/{name}").status_code == 404
    assert api.get("/api/v1/snapshots/nope/instruments.jsonl.gz").status_code == 404


def test_old_snapshots_are_pruned_and_the_newest_kept(snapshot_dir):
    now = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    for days in (20, 9, 2):
        snapshots.cut(now=now - dt.timedelta(days=days))

    removed = snapshots.prune(keep_days=7, now=now)
    assert [name[:16] for name in removed] == ["20260220T000000Z", "20260209T000000Z"]
    assert [m["id"][:16] for m in snapshots.listed()] == ["20260227T000000Z"]
    snapshots.prune(keep_days=7, now=now + dt.timedelta(days=100))
    assert len(snapshots.listed()) == 1


def test_rows_are_read_a_chunk_at_a_time_only_as_they_are_written(monkeypatch):
    """Streaming: a chunk is read when the writer asks for its rows, never the whole
    resource at once (bench 11 measures the memory at 100,000 instruments)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(snapshots, "CHUNK", 5)
    instruments = next(r for r in snapshots.RESOURCES if r.name == "instruments")
    stream = snapshots.rows(instruments)
    with CaptureQueriesContext(connection) as first:
        head = [next(stream) for _ in range(5)]
    with CaptureQueriesContext(connection) as second:
        sixth = next(stream)
    assert len(head) == 5 and sixth["id"] not in {row["id"] for row in head}
    assert any("LIMIT 5" in q["sql"] for q in first), "the first chunk's bounds: five ids"
    assert len(second) > 0, "the second chunk is read only when its first row is wanted"
