"""The migrations that bring effects and pending amendments, on a database holding amendments.

Forward: an amendment whose source instrument is only proposed loses the date of
effect it had to carry and becomes pending, audited as a change of the row; an
amendment whose source is law keeps its date; every row and id stays. Backward:
the date comes back from the audit trail.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("amendments", "0003_provenance_choices")]


def _migrate(targets):
    """Migrate the amendments app to `targets`; the historical models of the database."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    others = [leaf for leaf in executor.loader.graph.leaf_nodes() if leaf[0] != "amendments"]
    return executor.loader.project_state([*targets, *others]).apps


@pytest.fixture
def latest():
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    yield [leaf for leaf in leaves if leaf[0] == "amendments"]
    MigrationExecutor(connection).migrate(leaves)


def test_a_proposed_amendment_becomes_pending_and_comes_back_on_the_way_down(latest):
    old = _migrate(BEFORE)
    Jurisdiction = old.get_model("jurisdictions", "Jurisdiction")
    Instrument = old.get_model("instruments", "Instrument")
    Amendment = old.get_model("amendments", "Amendment")
    country = Jurisdiction.objects.create(code="ZY", name="Zedland", kind="country")

    def act(slug, status):
        return Instrument.objects.create(
            slug=slug,
            title=slug,
            kind="law",
            legal_force="binding",
            jurisdiction=country,
            status=status,
        )

    target = act("zy-act", "in_force")
    proposal = Amendment.objects.create(
        key="zy-proposed-postponement",
        kind="amends",
        source_instrument=act("zy-proposal", "proposed"),
        target_instrument=target,
        effective_on=dt.date(2025, 11, 19),
        effective_on_precision="day",
    )
    law = Amendment.objects.create(
        key="zy-adopted-amendment",
        kind="amends",
        source_instrument=act("zy-amending-law", "in_force"),
        target_instrument=target,
        effective_on=dt.date(2025, 8, 28),
        effective_on_precision="day",
    )
    ids = sorted(Amendment.objects.values_list("pk", flat=True))

    new = _migrate(latest)
    Moved = new.get_model("amendments", "Amendment")
    assert sorted(Moved.objects.values_list("pk", flat=True)) == ids
    pending = Moved.objects.get(pk=proposal.pk)
    assert (pending.effective_on, pending.effective_on_precision) == (None, "")
    assert pending.version == proposal.version + 1
    kept = Moved.objects.get(pk=law.pk)
    assert (kept.effective_on, kept.version) == (dt.date(2025, 8, 28), law.version)
    audit = new.get_model("record", "AppliedChange").objects.filter(
        target="amendment", row_id=proposal.pk
    )
    [change] = audit
    assert change.before == {"effective_on": "2025-11-19", "effective_on_precision": "day"}
    assert change.after == {"effective_on": None, "effective_on_precision": ""}

    back = _migrate(BEFORE)
    restored = back.get_model("amendments", "Amendment").objects.get(pk=proposal.pk)
    assert (restored.effective_on, restored.effective_on_precision) == (
        dt.date(2025, 11, 19),
        "day",
    )


def test_an_amendment_pending_from_the_start_survives_a_way_down_and_back_up(latest):
    """The older schema needs a date: the way down dates it the day it was put forward,
    says so in the audit trail, and the way up makes it pending again."""
    new = _migrate(latest)
    Jurisdiction = new.get_model("jurisdictions", "Jurisdiction")
    Instrument = new.get_model("instruments", "Instrument")
    country = Jurisdiction.objects.create(code="ZX", name="Zxland", kind="country")

    def act(slug):
        # Adopted, with no date of effect known yet: pending whatever its source's status.
        return Instrument.objects.create(
            slug=slug,
            title=slug,
            kind="law",
            legal_force="binding",
            jurisdiction=country,
            status="adopted",
        )

    pending = new.get_model("amendments", "Amendment").objects.create(
        key="zx-adopted-undated",
        kind="amends",
        source_instrument=act("zx-amending-act"),
        target_instrument=act("zx-act"),
        announced_on=dt.date(2026, 6, 29),
        announced_on_precision="day",
    )

    back = _migrate(BEFORE)
    dated = back.get_model("amendments", "Amendment").objects.get(pk=pending.pk)
    assert (dated.effective_on, dated.effective_on_precision) == (dt.date(2026, 6, 29), "day")
    [change] = back.get_model("record", "AppliedChange").objects.filter(
        target="amendment", row_id=pending.pk
    )
    assert change.before == {"effective_on": None, "effective_on_precision": ""}
    assert "not a date it took effect" in change.reason

    again = _migrate(latest)
    pending_again = again.get_model("amendments", "Amendment").objects.get(pk=pending.pk)
    assert (pending_again.effective_on, pending_again.effective_on_precision) == (None, "")
