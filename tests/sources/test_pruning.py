"""Old source snapshots are pruned by age (issue 27): the latest of a source and what a
case's evidence shows are kept, the rest goes."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from apps.cases import services
from apps.cases.models import EvidenceKind
from apps.sources.models import Change, Snapshot, Source
from apps.sources.pruning import Pruned, prune_snapshots

pytestmark = pytest.mark.django_db
NOW = timezone.now()


@pytest.fixture
def chain():
    """Five states of one source, four of them a year old, and the changes between them;
    a case's evidence shows the change from the second to the third."""
    source = Source.objects.create(name="Gazette", url="https://gazette.example.org/", kind="html")
    states = [
        Snapshot.objects.create(
            source=source,
            sequence=n,
            content_hash=f"{n:064d}",
            text=f"state {n}",
            raw=f"<p>state {n}</p>".encode(),
            fetched_at=NOW - dt.timedelta(days=400 if n < 5 else 1),
        )
        for n in range(1, 6)
    ]
    changes = [
        Change.objects.create(source=source, before=a, after=b, significance="low")
        for a, b in itertools.pairwise(states)
    ]
    services.case_open(
        title="Gazette changed",
        kind="source_change",
        evidence=[
            {"kind": EvidenceKind.SOURCE_CHANGE, "text": "diff", "source_change": changes[1]}
        ],
    )
    return source


def test_old_snapshots_go_unless_a_case_shows_them_or_they_are_the_latest(chain, settings):
    settings.SOURCES_SNAPSHOT_KEEP_DAYS = 365
    pruned = prune_snapshots(now=NOW)

    assert (pruned.deleted, pruned.emptied) == (2, 2)
    left = {s.sequence: (s.text, bytes(s.raw)) for s in Snapshot.objects.filter(source=chain)}
    # 2 and 3 are the evidence's before and after: kept, without their bulk.
    assert left == {2: ("", b""), 3: ("", b""), 5: ("state 5", b"<p>state 5</p>")}
    assert list(Change.objects.filter(source=chain).values_list("after__sequence", flat=True)) == [
        3
    ]
    assert prune_snapshots(now=NOW) == Pruned(0, 0)


def test_the_latest_snapshot_stays_however_old(chain):
    Snapshot.objects.filter(source=chain, sequence=5).update(
        fetched_at=NOW - dt.timedelta(days=900)
    )
    prune_snapshots(now=NOW, keep_days=30)
    latest = Snapshot.objects.get(source=chain, sequence=5)
    assert latest.text == "state 5"


def test_nothing_younger_than_the_setting_is_touched(chain):
    assert prune_snapshots(now=NOW, keep_days=500) == Pruned(0, 0)
    assert Snapshot.objects.filter(source=chain).count() == 5
