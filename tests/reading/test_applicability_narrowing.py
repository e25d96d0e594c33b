"""What makes the applicability check fast at 100,000 instruments (bench/RESULTS.md) must not
change its answer: the rows it narrows away in the database are rows the rules would not
list, and the related rows it reads as plain lists are Django's own prefetch's."""

from __future__ import annotations

import datetime as dt
import gc
import weakref

import pytest
from django.db.models import Q, prefetch_related_objects

from apps.amendments.status import derive_status
from apps.instruments.lifecycle import APPLYING
from apps.instruments.models import Instrument
from apps.obligations.models import Obligation
from apps.reading import applicability
from apps.reading.applicability import Profile, check
from apps.reading.obligations import effects_prefetch, in_force_by, prefetch_lists
from apps.record import services as record
from apps.record.services import Why

pytestmark = pytest.mark.django_db

WHY = Why.system("test")
DAYS = [dt.date(2019, 1, 1), dt.date(2025, 3, 1), dt.date(2026, 7, 15), dt.date(2027, 9, 1)]
PROFILES = [
    Profile(markets=("DE",), roles=("deployer",), risk_tiers=("high",)),
    Profile(markets=("DE",), roles=("provider",), risk_tiers=("gpai",)),
    Profile(markets=("US-CA", "US"), roles=("provider",)),
    Profile(markets=("US",)),
    Profile(markets=("DE", "FR", "US-CA", "CN", "KR", "IN"), roles=("provider", "deployer")),
]


def _obligation(slug: str, key: str) -> Obligation:
    return Obligation.objects.get(instrument__slug=slug, key=key)


def _amendment(key: str, target: str, effective_on: str | None, effects: list[dict]) -> None:
    source = record.write(
        target="instrument",
        why=WHY,
        values={
            "slug": f"{key}-act",
            "title": f"Test act {key}",
            "kind": "regulation",
            "jurisdiction": Instrument.objects.get(slug=target).jurisdiction_id,
            "legal_force": "binding",
        },
    ).row
    record.write(
        target="amendment",
        why=WHY,
        values={
            "key": key,
            "kind": "amends",
            "source_instrument": source.pk,
            "target_instrument": Instrument.objects.get(slug=target).pk,
            "effective_on": effective_on,
            "effective_on_precision": "day" if effective_on else "",
            "provenance": "editorial",
            "effects": [{"text": "", **effect} for effect in effects],
        },
    )


@pytest.fixture
def amended():
    """Effects that bring in rows the obligations' own values would leave out: another
    addressee or tier made the profile's, a date moved into the window, a proposal on
    a bill that is not in force."""
    _amendment(
        "test-readdress",
        "eu-ai-act",
        "2026-07-01",
        [
            {
                "obligation": _obligation("eu-ai-act", "article-24-distributor-obligations").pk,
                "kind": "addressee",
                "text": "deployer",
            },
            {
                "obligation": _obligation("eu-ai-act", "article-50-transparency").pk,
                "kind": "requirement",
                "text": "Label every output.",
            },
            {
                "obligation": _obligation("eu-ai-act", "article-50-transparency").pk,
                "kind": "risk_tier",
                "text": "high",
            },
            {
                "obligation": _obligation("eu-ai-act", "article-6-1-annex-i-high-risk").pk,
                "kind": "applies_from",
                "date": "2026-07-01",
            },
        ],
    )
    bill = Obligation.objects.filter(instrument__slug="us-s321-2025").order_by("key").first()
    _amendment(
        "test-bill-proposal", "us-s321-2025", None,
        [{"obligation": bill.pk, "kind": "applies_from", "date": "2027-01-01"}],
    )  # fmt: skip


def _said(answer) -> tuple:
    def duty(finding):
        o = finding.obligation
        return (o.instrument.slug, o.key, finding.match.verdict, finding.match.why)

    return (
        [duty(f) for f in answer.applicable],
        [(*duty(f), f.match.missing) for f in answer.may_apply],
        [(*duty(c), c.kind, c.date, c.cause) for c in answer.upcoming],
    )


def test_narrowing_in_the_database_leaves_out_nothing_the_rules_would_list(amended, monkeypatch):
    narrowed = {(p, on): _said(check(p, on)) for p in PROFILES for on in DAYS}
    monkeypatch.setattr(applicability, "_may_be_listed", lambda *_: Q(pk__isnull=False))
    for (profile, on), said in narrowed.items():
        assert said == _said(check(profile, on)), (profile, on)
    assert any(said[2] for said in narrowed.values())  # upcoming changes were compared too
    listed = {key for said in narrowed.values() for part in said for _, key, *_ in part}
    assert {"article-24-distributor-obligations", "article-50-transparency"} <= listed


def test_an_instrument_whose_status_applies_by_a_day_has_an_event_that_puts_it_in_force():
    published = Instrument.objects.published()
    instruments = list(published.prefetch_related("events", "incoming_amendments"))
    for day in DAYS:
        kept = set(published.filter(in_force_by(day)).values_list("pk", flat=True))
        applying = {i.pk for i in instruments if derive_status(i, on=day).status in APPLYING}
        assert applying <= kept, day
    assert kept < {i.pk for i in instruments}  # some instrument is left out: it narrows


def _eu_ai_act_obligations() -> list[Obligation]:
    return list(Obligation.objects.filter(instrument__slug="eu-ai-act").order_by("pk"))


def test_prefetched_lists_hold_djangos_rows_in_its_order_and_are_read_without_a_query(
    amended, django_assert_num_queries
):
    relations = ("penalties", "citations", "conditions")
    theirs = _eu_ai_act_obligations()
    prefetch_related_objects(theirs, *relations, effects_prefetch())
    ours = _eu_ai_act_obligations()
    with django_assert_num_queries(4):
        prefetch_lists(ours, *relations, effects_prefetch())

    with django_assert_num_queries(0):
        for mine, django in zip(ours, theirs, strict=True):
            for relation in (*relations, "effects"):
                got = list(getattr(mine, relation).all())
                assert got == list(getattr(django, relation).all()), (mine.key, relation)
            for effect in mine.effects.all():
                assert effect.amendment.effective_on or effect.amendment.key  # select_related
    assert any(o.penalties.all() for o in ours) and any(o.effects.all() for o in ours)


def test_lists_of_only_the_objects_named_leave_the_others_empty_in_as_many_queries(
    amended, django_assert_num_queries
):
    obligations = _eu_ai_act_obligations()
    changed = [o for o in obligations if o.effects.exists()]
    named, others = changed[:1], [o for o in obligations if o not in changed[:1]]
    assert len(changed) > 1
    with django_assert_num_queries(1):
        prefetch_lists(obligations, effects_prefetch(), only=named)
    with django_assert_num_queries(0):
        assert all(o.effects.all() for o in named)
        assert not any(o.effects.all() for o in others)  # not asked for: the caller knew
    again = _eu_ai_act_obligations()
    with django_assert_num_queries(1):  # none named: all are asked for
        prefetch_lists(again, effects_prefetch(), only=[])
    assert sum(bool(o.effects.all()) for o in again) == len(changed)


def test_a_prefetched_child_does_not_keep_its_parent_so_no_cycle_waits_for_the_collector():
    obligations = [o for o in _eu_ai_act_obligations() if o.penalties.exists()]
    prefetch_lists(obligations, "penalties")
    gone = weakref.ref(obligations[0])
    penalties = list(obligations[0].penalties.all())
    assert penalties
    gc.disable()
    try:
        del obligations
        assert gone() is None
    finally:
        gc.enable()
    assert not Obligation.penalties.field.is_cached(penalties[0])
