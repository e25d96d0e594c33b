"""One write path: every kind of write to every curated model leaves one audited change.

The curated models come from the registry, so a model added there is covered
here without a new test.
"""

from __future__ import annotations

from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import models
from django.urls import reverse

from apps.cases import services
from apps.cases.models import State
from apps.record import rows
from apps.record import services as record
from apps.record.models import AppliedChange, Origin
from apps.record.registry import REGISTRY
from tests.admin_forms import admin_form_data
from tests.dataset import partial_seed
from tests.helpers import move, publish

pytestmark = pytest.mark.django_db

# Where each curated model lives in the seed, and how a row is found there.
SEED_FILES = {
    "jurisdiction": ("jurisdictions.yaml", lambda row, obj: row["code"] == obj.code),
    "instrument": ("instruments.yaml", lambda row, obj: row["slug"] == obj.slug),
    "obligation": (
        "obligations.yaml",
        lambda row, obj: (row["instrument"], row["key"]) == (obj.instrument.slug, obj.key),
    ),
    "amendment": ("amendments.yaml", lambda row, obj: row["key"] == obj.key),
}
TARGETS = sorted(REGISTRY)


def test_every_curated_model_has_a_seed_file_in_this_test():
    assert set(SEED_FILES) == set(REGISTRY)


def _text_field(target: str) -> str:
    """A free-text field of the model, one editors really change."""
    return next(f.name for f in rows.fields_of(target) if isinstance(f, models.TextField))


def _a_row(target: str):
    model = rows.model_of(target)
    return model.objects.published().order_by("pk").first()


def _new_entries(since: int) -> list[AppliedChange]:
    return list(AppliedChange.objects.filter(pk__gt=since).order_by("pk"))


def _last_id() -> int:
    return AppliedChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _assert_one_change(entries, target, row, field, old, new, origin):
    assert [(e.target, e.row_id) for e in entries] == [(target, row.pk)], entries
    [entry] = entries
    assert (entry.before, entry.after) == ({field: old}, {field: new})
    assert entry.origin == origin
    fresh = type(row).objects.get(pk=row.pk)
    assert getattr(fresh, field) == new
    assert fresh.version == row.version + 1 == entry.version


@pytest.mark.parametrize("target", TARGETS)
def test_an_approval_records_exactly_the_changed_field(cast, target):
    row, field = _a_row(target), _text_field(target)
    old = getattr(row, field)
    case = move(
        services.case_open(title="t", kind="correction", created_by=cast["editor"]),
        cast["editor"],
        State.TRIAGED,
        State.IN_PROGRESS,
    )
    services.change_propose(
        case=case,
        actor=cast["editor"],
        target=target,
        action="update",
        row=row,
        values={field: "Approved text."},
    )
    since = _last_id()
    publish(case, cast["editor"], cast["reviewer"])
    entries = _new_entries(since)
    _assert_one_change(entries, target, row, field, old, "Approved text.", Origin.CASE)
    assert entries[0].case_id == case.pk and entries[0].approver == cast["reviewer"]


@pytest.mark.parametrize("target", TARGETS)
def test_a_direct_edit_records_exactly_the_changed_field_and_a_resave_records_nothing(
    client, cast, target
):
    row, field = _a_row(target), _text_field(target)
    old = getattr(row, field)
    client.force_login(cast["administrator"])
    model = rows.model_of(target)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[row.pk])
    data = admin_form_data(client.get(url))

    since = _last_id()
    assert client.post(url, data).status_code == 302  # saved as it was shown
    assert _new_entries(since) == []
    assert model.objects.get(pk=row.pk).version == row.version

    data[field] = "Edited directly."
    assert client.post(url, data).status_code == 302
    entries = _new_entries(since)
    _assert_one_change(entries, target, row, field, old, "Edited directly.", Origin.DIRECT)
    assert entries[0].approver == cast["administrator"] and entries[0].case is None


def _load(folder: Path) -> str:
    out = StringIO()
    call_command("seed_load", folder=folder, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("target", TARGETS)
def test_a_seed_load_over_the_record_records_the_row_it_changes_and_nothing_else(tmp_path, target):
    row, field = _a_row(target), _text_field(target)
    old = getattr(row, field)
    name, matches = SEED_FILES[target]

    def edit(data: list[dict]) -> None:
        [seeded] = [r for r in data if matches(r, row)]
        seeded[field] = "Seeded text."

    # The row's own file, whole; the others empty: their rows are in the database
    # already, and a seed load deletes nothing it does not hold (partial_seed).
    folder = partial_seed.only(tmp_path, name, edit)

    since = _last_id()
    _load(folder)
    entries = _new_entries(since)
    _assert_one_change(entries, target, row, field, old, "Seeded text.", Origin.SEED)
    assert entries[0].reason == "seed load"

    since = _last_id()
    assert "0 inserted, 0 updated" in _load(folder)
    assert _new_entries(since) == []  # a no-op load writes nothing


@pytest.mark.parametrize("target", TARGETS)
def test_a_write_that_changes_nothing_records_nothing(target):
    row = _a_row(target)
    since = _last_id()
    same = rows.snapshot(target, rows.fetch(target, row.pk))
    written = record.write(target=target, row=row, values=same, why=record.Why.system("test"))
    assert written.change is None and written.also == []
    assert _new_entries(since) == []
    assert rows.model_of(target).objects.get(pk=row.pk).version == row.version


def test_a_withdrawal_flags_each_obligation_and_moves_the_status_once_per_row(cast):
    from apps.instruments.models import Instrument
    from apps.obligations.models import Obligation

    act = Instrument.objects.get(slug="eu-ai-act")
    gdpr = Instrument.objects.get(slug="eu-gdpr")
    obligations = list(Obligation.objects.published().filter(instrument=act))
    assert obligations and not any(o.needs_review for o in obligations)
    case = move(
        services.case_open(title="t", kind="correction", created_by=cast["editor"]),
        cast["editor"],
        State.TRIAGED,
        State.IN_PROGRESS,
    )
    services.change_propose(
        case=case,
        actor=cast["editor"],
        target="amendment",
        action="create",
        values={
            "key": "test-repeal-of-the-ai-act",
            "kind": "repeals",
            "source_instrument": gdpr.pk,
            "target_instrument": act.pk,
            "effective_on": "2026-01-01",
            "effective_on_precision": "day",
            "provenance": "editorial",
        },
    )
    since = _last_id()
    publish(case, cast["editor"], cast["reviewer"])
    entries = _new_entries(since)

    per_row = Counter((e.target, e.row_id) for e in entries)
    assert set(per_row.values()) == {1}, per_row
    flags = [e for e in entries if e.target == "obligation"]
    assert {e.row_id for e in flags} == {o.pk for o in obligations}
    assert all(
        (e.before, e.after) == ({"needs_review": False}, {"needs_review": True}) for e in flags
    )
    assert all(e.case_id == case.pk and "flagged for review" in e.reason for e in flags)
    [status] = [e for e in entries if e.target == "instrument"]
    assert status.row_id == act.pk
    assert status.after == {"status": "repealed", "status_since": "2026-01-01"}
    assert "amendment: test-repeal-of-the-ai-act" in status.reason
    assert Instrument.objects.get(pk=act.pk).status == "repealed"


def test_the_daily_refresh_records_a_status_the_calendar_moved():
    from apps.instruments.models import Instrument

    act = Instrument.objects.get(slug="eu-ai-act")
    # As if the cache were written before the last stage of application arrived.
    Instrument.objects.filter(pk=act.pk).update(status="adopted")
    since = _last_id()
    assert record.refresh_statuses() == 1
    [entry] = _new_entries(since)
    assert (entry.target, entry.row_id, entry.origin) == ("instrument", act.pk, Origin.SYSTEM)
    assert entry.before["status"] == "adopted" and entry.after["status"] != "adopted"
    assert entry.reason.startswith("daily status refresh")
    assert record.refresh_statuses() == 0


def test_no_code_but_the_write_service_writes_curated_rows_through_a_manager():
    import re

    names = [kind.model.__name__ for kind in REGISTRY.values()]
    names += [child.model.__name__ for kind in REGISTRY.values() for child in kind.children]
    writes = "create|bulk_create|bulk_update|get_or_create|update_or_create|update|delete"
    pattern = re.compile(rf"\b({'|'.join(names)})\.objects\.[^\n]*\.?\b({writes})\(")
    apps_dir = Path(settings.BASE_DIR) / "apps"
    offenders = [
        f"{path.relative_to(apps_dir)}:{number}: {line.strip()}"
        for path in apps_dir.rglob("*.py")
        if "migrations" not in path.parts and path.name != "record.py"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if pattern.search(line)
    ]
    assert offenders == []
