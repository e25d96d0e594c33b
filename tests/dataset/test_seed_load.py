"""The seed loader: idempotent, all-or-nothing, with clear messages."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from apps.amendments.models import Amendment
from apps.core.models import Citation
from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction, Membership
from apps.obligations.models import Obligation
from apps.record.models import AppliedChange
from apps.sources.models import Source
from tests.dataset import partial_seed

pytestmark = pytest.mark.django_db

SEED = Path(settings.BASE_DIR) / "data" / "seed"


def _wipe() -> None:
    Source.objects.all().delete()
    Amendment.objects.all().delete()
    Obligation.objects.all().delete()
    Instrument.objects.all().delete()
    Membership.objects.all().delete()
    Jurisdiction.objects.update(parent=None)
    Jurisdiction.objects.all().delete()
    Citation.objects.all().delete()


def _load(folder: Path = SEED) -> str:
    out = StringIO()
    call_command("seed_load", folder=folder, stdout=out)
    return out.getvalue()


def test_the_seed_loads_into_an_empty_database_and_a_second_load_changes_nothing():
    # The whole seed on purpose: every file is read, written and read again.
    _wipe()
    first = _load()
    assert "[7/7] sources.yaml" in first  # progress is shown
    inserted = int(first.split("seed loaded: ")[1].split(" inserted")[0])
    assert inserted > 400
    assert Instrument.objects.filter(slug="eu-ai-act").exists()
    second = _load()
    assert f"seed loaded: 0 inserted, 0 updated, {inserted} unchanged, 0 deleted" in second


def test_the_seed_holds_the_world_of_the_domain_brief():
    kinds = set(Jurisdiction.objects.values_list("kind", flat=True))
    assert kinds >= {
        "country",
        "supranational",
        "international_org",
        "forum",
        "bilateral",
        "non_state",
    }
    assert (
        Jurisdiction.objects.members_of(
            Jurisdiction.objects.get(code="EU"), on=__import__("datetime").date(2025, 1, 1)
        ).count()
        == 27
    )
    for slug in ("cn-generative-ai-measures", "in-dpdp-act-2023", "us-s321-2025", "eu-ai-act"):
        assert Obligation.objects.filter(instrument__slug=slug).exists(), slug
    # Every fact-bearing instrument cites its source; seed footnotes are marked.
    assert Citation.objects.filter(seed_footnote__isnull=False).count() > 20
    assert not Instrument.objects.filter(provenance="").exists()
    assert Instrument.objects.filter(provenance__in=["outside_seed", "mixed"]).exists()
    # The first watched sources are the official pages behind the citations, paused.
    watched = Source.objects.get(url__contains="2023-24283")
    assert watched.adapter == "federal_register" and not watched.active
    assert list(watched.instruments.values_list("slug", flat=True)) == ["us-eo-14110"]


def test_an_edit_to_the_seed_updates_one_row_and_bumps_its_version(tmp_path):
    def edit(rows):
        next(r for r in rows if r["slug"] == "eu-ai-act")["summary"] = "Edited summary."

    # The edited file whole, the others empty: their rows are in the database already
    # and a load deletes nothing it does not hold (tests/dataset/partial_seed.py).
    folder = partial_seed.only(tmp_path, "instruments.yaml", edit)
    before = Instrument.objects.get(slug="eu-ai-act").version
    out = _load(folder)
    assert "seed loaded: 0 inserted, 1 updated" in out
    act = Instrument.objects.get(slug="eu-ai-act")
    assert act.summary == "Edited summary." and act.version == before + 1


def _self_amendment(rows):
    rows[0]["source_instrument"] = rows[0]["target_instrument"]


def _unknown_event_kind(rows):
    rows[0]["events"][0]["kind"] = "abolished"


def _identifier_twice(rows):
    owner = next(r for r in rows if r["slug"] == "eu-ai-act")
    other = next(r for r in rows if r["slug"] == "eu-ai-liability-directive")
    other["identifiers"].append(
        {"scheme": "celex", "value": "32024R1689", "provenance": "editorial"}
    )
    assert any(i["value"] == "32024R1689" for i in owner["identifiers"])


def _impossible_date(rows):
    rows[0]["effective_on"] = "2025-02-30"


def _derived_status_typed(rows):
    rows[0]["status"] = "in_force"


@pytest.mark.parametrize(
    ("file", "edit", "message"),
    [
        ("amendments.yaml", _self_amendment, "An instrument cannot amend itself."),
        ("instruments.yaml", _unknown_event_kind, "'abolished' is not a valid choice"),
        ("instruments.yaml", _identifier_twice, "already belongs to another instrument"),
        ("amendments.yaml", _impossible_date, "2025-02-30 is not a real date"),
        ("instruments.yaml", _derived_status_typed, "unknown field(s) status"),
    ],
)
def test_invalid_data_is_refused_with_a_clear_message_and_nothing_is_saved(
    tmp_path, file, edit, message
):
    # The bad file whole, over the seeded database (tests/dataset/partial_seed.py). It
    # also holds a valid edit of another row, which a load that does not roll back
    # would save: the file's other rows are the database's own, so they cannot show it.
    def bad_and_good(rows):
        edit(rows)
        rows[-1]["summary"] = "A valid edit the refused load must not save."

    trail, rows = AppliedChange.objects.count(), _rows()
    with pytest.raises(CommandError) as refused:
        _load(partial_seed.only(tmp_path, file, bad_and_good))
    assert message in str(refused.value)
    assert "nothing was saved" in str(refused.value)
    assert f"{file} row " in str(refused.value)
    assert AppliedChange.objects.count() == trail
    assert _rows() == rows


def _rows() -> dict[str, list]:
    """What the refused files would have changed, as plain values."""
    return {
        "instruments": list(Instrument.objects.order_by("pk").values("pk", "version")),
        "amendments": list(
            Amendment.objects.order_by("pk").values("pk", "version", "effective_on")
        ),
        "citations": Citation.objects.count(),
    }


def test_the_first_run_load_leaves_a_curated_record_alone():
    Instrument.objects.filter(slug="eu-ai-act").update(summary="Published by a case.")
    out = StringIO()
    call_command("seed_load", if_empty=True, stdout=out)
    assert "seed not loaded" in out.getvalue()
    assert Instrument.objects.get(slug="eu-ai-act").summary == "Published by a case."


def test_every_fact_bearing_row_of_the_seed_cites_a_source():
    from apps.instruments.models import InstrumentEvent, InstrumentParty

    for model in (
        Jurisdiction,
        Membership,
        Instrument,
        InstrumentEvent,
        InstrumentParty,
        Obligation,
        Amendment,
    ):
        uncited = model.objects.filter(citations__isnull=True)
        assert not uncited.exists(), f"{model.__name__}: {list(uncited[:5])}"
