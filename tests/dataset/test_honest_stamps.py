"""Honest stamps (issue 30): a check date stands only on a source that says where and what.

Read straight from data/seed/*.yaml, so a stamp typed into the files fails here
before anyone loads it; and through the loader, which refuses such a row.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from apps.core.models import Citation
from apps.dataset import yamlio
from apps.instruments.models import Instrument
from apps.record.models import AppliedChange
from tests.dataset import partial_seed

SEED = Path(settings.BASE_DIR) / "data" / "seed"
STAMPED_FILES = ("instruments.yaml", "jurisdictions.yaml")


def _yaml(name: str) -> list[dict]:
    return yamlio.load((SEED / name).read_text(encoding="utf-8")) or []


def _day(value) -> dt.date | None:
    return None if value in (None, "") else dt.date.fromisoformat(str(value))


def _backs(citation: dict, day: dt.date) -> bool:
    read = _day(citation.get("accessed_on"))
    return bool(
        str(citation.get("locator") or "").strip()
        and str(citation.get("states") or "").strip()
        and read is not None
        and read <= day
    )


def test_every_seed_stamp_has_a_located_stated_citation_read_on_or_before_it():
    citations = {c["key"]: c for c in _yaml("citations.yaml")}
    unsupported = []
    for name in STAMPED_FILES:
        for row in _yaml(name):
            day = _day(row.get("last_verified_on"))
            if day is None:
                continue
            if not any(_backs(citations[key], day) for key in row.get("citations") or []):
                unsupported.append(f"{name}: {row.get('slug') or row.get('code')} ({day})")
    assert unsupported == []


def test_no_citation_outside_the_seed_document_claims_a_reading_without_locator_and_statement():
    claims = [
        c["key"]
        for c in _yaml("citations.yaml")
        if c.get("provenance") != "seed"
        and (c.get("accessed_on") or c.get("last_verified_on"))
        and not (str(c.get("locator") or "").strip() and str(c.get("states") or "").strip())
    ]
    assert claims == []


def test_a_located_citation_says_where_and_what_in_words_of_its_own():
    for c in _yaml("citations.yaml"):
        if c.get("locator"):
            assert c.get("states") and c["states"] != c["title"], c["key"]


def _row(data, **key):
    return next(r for r in data if all(r.get(k) == v for k, v in key.items()))


@pytest.mark.django_db
def test_the_loader_refuses_a_stamp_no_located_citation_stands_behind(tmp_path):
    # instruments.yaml whole, the others empty, over the seeded database (partial_seed).
    folder = partial_seed.only(
        tmp_path,
        "instruments.yaml",
        lambda d: _row(d, slug="eu-ai-act").update(last_verified_on="2026-12-01"),
    )
    with pytest.raises(CommandError) as refused:
        call_command("seed_load", folder=folder, stdout=StringIO())
    assert "eu-ai-act" in str(refused.value)
    assert "no check stands behind it" in str(refused.value)
    assert Instrument.objects.get(slug="eu-ai-act").last_verified_on is None


@pytest.mark.django_db
def test_the_loader_takes_a_stamp_with_the_citation_behind_it(tmp_path):
    def locate(data):
        _row(data, key="eurlex-eli-reg-2024-1689").update(
            locator="Article 113",
            states="Entry into force and the staged dates of application.",
            accessed_on="2026-12-02",
            last_verified_on="2026-12-02",
        )

    # The citation and the stamp it backs, each file whole, the others empty (partial_seed).
    folder = partial_seed.several(
        tmp_path,
        {
            "citations.yaml": locate,
            "instruments.yaml": lambda d: _row(d, slug="eu-ai-act").update(
                last_verified_on="2026-12-03"
            ),
        },
    )
    call_command("seed_load", folder=folder, stdout=StringIO())

    act = Instrument.objects.get(slug="eu-ai-act")
    assert act.last_verified_on == dt.date(2026, 12, 3)
    assert act.verified_against.key == "eurlex-eli-reg-2024-1689"
    assert Citation.objects.get(key="eurlex-eli-reg-2024-1689").locator == "Article 113"
    stamp = AppliedChange.objects.filter(target="instrument", row_id=act.pk).first()
    assert stamp.origin == "seed" and stamp.after["last_verified_on"] == "2026-12-03"
