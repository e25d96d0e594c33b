"""apps.api.prefetch finds, for each parent, the rows Django's prefetch_related finds,
in the same order."""

from __future__ import annotations

import pytest

from apps.api import prefetch
from apps.instruments.models import Instrument
from apps.obligations.models import Obligation

pytestmark = pytest.mark.django_db


def _ids(rows) -> list[int]:
    return [row.pk for row in rows]


def test_each_instruments_identifiers_and_obligations_are_djangos_in_djangos_order():
    by_django = list(
        Instrument.objects.prefetch_related("identifiers", "obligations").order_by("pk")
    )
    ours = list(Instrument.objects.order_by("pk"))

    obligations = prefetch.children(ours, "obligations")
    prefetch.children(ours, "identifiers")

    assert sum(len(i.obligations.all()) for i in by_django) > 10, "the seed has obligations"
    for theirs, mine in zip(by_django, ours, strict=True):
        assert _ids(mine.obligations_rows) == _ids(theirs.obligations.all())
        assert _ids(mine.identifiers_rows) == _ids(theirs.identifiers.all())
    assert all(
        o.instrument is next(i for i in ours if i.pk == o.instrument_id) for o in obligations
    )


def test_each_obligations_penalties_and_citations_are_djangos_in_djangos_order():
    by_django = list(Obligation.objects.prefetch_related("penalties", "citations").order_by("pk"))
    ours = list(Obligation.objects.order_by("pk"))

    prefetch.children(ours, "penalties")
    prefetch.cited(ours)

    assert any(o.penalties.all() for o in by_django), "the seed has penalties"
    assert any(len(o.citations.all()) > 1 for o in by_django), "and obligations with citations"
    for theirs, mine in zip(by_django, ours, strict=True):
        assert _ids(mine.penalties_rows) == _ids(theirs.penalties.all())
        assert _ids(mine.citations_rows) == _ids(theirs.citations.all())


def test_a_queryset_narrows_the_children_and_no_parents_cost_no_query(django_assert_num_queries):
    ours = list(Instrument.objects.order_by("pk"))
    published = prefetch.children(ours, "obligations", Obligation.objects.published())

    assert all(o.retired_at is None for o in published)
    with django_assert_num_queries(0):
        assert prefetch.children([], "obligations") == []
        prefetch.cited([])


def test_a_page_of_obligations_is_freed_without_the_cyclic_collector(api):
    import gc

    def alive() -> int:
        return sum(type(o) is Obligation for o in gc.get_objects())  # no lazy object woken

    gc.collect()
    gc.disable()  # only reference counting frees anything from here on
    try:
        before = alive()
        response = api.get("/api/v1/instruments/", {"include": "obligations,identifiers"})
        assert response.status_code == 200
        assert any(row["obligations"] for row in response.json()["results"])
        left = alive() - before
    finally:
        gc.enable()

    assert left == 0, f"{left} obligations wait for the cyclic collector"
