"""`seed_load --as-case`: a curated record receives the seed as one case, never as overwrites."""

import datetime as dt
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from apps.amendments.models import Amendment
from apps.cases import services
from apps.cases.models import Case, State
from apps.core.models import Citation
from apps.dataset import yamlio
from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction
from apps.obligations.models import Obligation
from apps.record import rows
from apps.record import services as record
from apps.record.models import AppliedChange, Origin
from tests.helpers import move

pytestmark = pytest.mark.django_db

SEED = Path(settings.BASE_DIR) / "data" / "seed"
EDITOR_EVENT = {
    "kind": "amended",
    "date": "2026-11-01",
    "date_precision": "day",
    "note": "Added by an editor's direct edit.",
    "provenance": "editorial",
}


def _edit(folder: Path, file: str, change) -> None:
    path = folder / file
    data = yamlio.load(path.read_text())
    change(data)
    path.write_text(yamlio.dump(data, allow_unicode=True, sort_keys=False))


def _row(data, **key):
    return next(r for r in data if all(r.get(k) == v for k, v in key.items()))


@pytest.fixture
def newer_seed(tmp_path) -> Path:
    """The seed as a later release would ship it: new rows naming each other, changed rows.

    Whole, not a partial seed (tests/dataset/partial_seed.py): it edits six of the seven
    files, and --as-case does not read the seventh (sources), so emptying it saves nothing;
    and "4 new and 4 changed" holds only if every other row of the seed, compared with
    the edited record, is proposed as nothing.
    """
    folder = tmp_path / "seed"
    shutil.copytree(SEED, folder)
    _edit(
        folder,
        "citations.yaml",
        lambda d: d.append(
            {
                "key": "wa-leg-test-act",
                "url": "https://app.leg.wa.gov/billsummary?BillNumber=1&Year=2027",
                "title": "Washington State Legislature, a test act",
                "locator": "Section 2",
                "states": "Deployers tell people they deal with AI.",
                "accessed_on": "2026-11-29",
                "last_verified_on": "2026-11-29",
                "provenance": "outside_seed",
            }
        ),
    )
    _edit(
        folder,
        "jurisdictions.yaml",
        lambda d: d.append(
            {
                "code": "US-WA",
                "name": "Washington",
                "kind": "subnational",
                "parent": "US",
                "coverage": "partial",
                "provenance": "outside_seed",
                "citations": ["wa-leg-test-act"],
            }
        ),
    )
    _edit(
        folder,
        "memberships.yaml",
        lambda d: d.append(
            {"group": "G7", "member": "KR", "joined_on": "2027", "provenance": "editorial"}
        ),
    )

    def instruments(d):
        d.append(
            {
                "slug": "us-wa-test-act",
                "title": "Washington test AI act",
                "kind": "law",
                "jurisdiction": "US-WA",
                "legal_force": "binding",
                "provenance": "outside_seed",
                "last_verified_on": "2026-11-29",
                "citations": ["wa-leg-test-act"],
                "events": [
                    {"kind": "signed", "date": "2026-05-01", "citations": ["wa-leg-test-act"]}
                ],
            }
        )
        _row(d, slug="eu-ai-act")["summary"] = "The seed's newer summary."
        _row(d, slug="kr-ai-basic-act")["events"].append(
            {"kind": "amended", "date": "2026-10", "provenance": "outside_seed"}
        )

    _edit(folder, "instruments.yaml", instruments)
    _edit(
        folder,
        "obligations.yaml",
        lambda d: d.append(
            {
                "instrument": "us-wa-test-act",
                "key": "disclose-ai",
                "provision": "Section 2",
                "addressee": "deployer",
                "requirement": "Tell people they deal with AI.",
                "applies_from": "2027-01-01",
                "provenance": "outside_seed",
            }
        ),
    )
    _edit(
        folder,
        "amendments.yaml",
        lambda d: d.append(
            {
                "key": "wa-test-act-implements-colorado",
                "kind": "implements",
                "source_instrument": "us-wa-test-act",
                "target_instrument": "us-co-sb24-205",
                "effective_on": "2026-05-01",
                "provenance": "outside_seed",
            }
        ),
    )
    return folder


@pytest.fixture
def edited_record(cast):
    """Editors have worked on the record since the seed was loaded."""
    direct = record.Why(Origin.DIRECT, reason="editor's direct edit")
    korea = Instrument.objects.get(slug="kr-ai-basic-act")
    events = rows.snapshot("instrument", korea)["events"]
    record.write(
        target="instrument", row=korea, values={"events": [*events, EDITOR_EVENT]}, why=direct
    )
    japan = Instrument.objects.get(slug="jp-ai-promotion-act")
    record.write(
        target="instrument", row=japan, values={"summary": "An editor's summary."}, why=direct
    )
    colorado = Instrument.objects.get(slug="us-co-sb24-205")  # no check stamp in the seed
    record.verify(
        target="instrument",
        row=colorado,
        citation=colorado.citations.first(),
        checked_on=dt.date(2026, 12, 1),
        locator="Article 1",
        states="The law sets out principles for the use of AI.",
        user=cast["editor"],
    )


def _as_case(folder: Path) -> str:
    out = StringIO()
    call_command("seed_load", folder=folder, as_case=True, verbosity=0, stdout=out)
    return out.getvalue()


def _record_state() -> dict:
    return {
        target: {obj.pk: rows.snapshot(target, obj) for obj in rows.model_of(target).objects.all()}
        for target in ("jurisdiction", "instrument", "obligation", "amendment")
    }


def test_a_seed_that_agrees_with_the_record_opens_no_case():
    # The whole seed on purpose: every one of its rows must agree with the seeded record.
    cases = Case.objects.count()
    assert "no case opened" in _as_case(SEED)
    assert Case.objects.count() == cases


def test_the_seed_differences_become_one_case_and_nothing_is_overwritten(newer_seed, edited_record):
    before, audit, cases = _record_state(), AppliedChange.objects.count(), Case.objects.count()

    out = _as_case(newer_seed)

    assert Case.objects.count() == cases + 1
    case = Case.objects.latest("id")
    assert f"case #{case.pk} opened: 4 new and 4 changed row(s)" in out
    assert _record_state() == before  # no curated row written
    assert AppliedChange.objects.count() == audit  # and nothing recorded as applied
    assert not Jurisdiction.objects.filter(code="US-WA").exists()
    assert Citation.objects.filter(key="wa-leg-test-act").exists()  # so proposals can cite it

    proposals = {(c.target, c.action): c for c in case.changes.all()}
    created = {
        c.values.get("slug") or c.values.get("code") or c.values.get("key")
        for c in case.changes.filter(action="create")
    }
    assert created == {"US-WA", "us-wa-test-act", "disclose-ai", "wa-test-act-implements-colorado"}
    # A new row names another new row by reference, not by an id it does not have yet.
    assert proposals[("amendment", "create")].values["source_instrument"] == {
        "slug": "us-wa-test-act"
    }
    updates = {
        Instrument.objects.get(pk=c.row_id).slug if c.target == "instrument" else c.row_id: c
        for c in case.changes.filter(action="update")
    }
    # Only what differs is proposed.
    assert set(updates["eu-ai-act"].values) == {"summary"}
    # The editor's event is kept beside the seed's new one, not deleted.
    korea_events = {(e["kind"], e["date"]) for e in updates["kr-ai-basic-act"].values["events"]}
    assert {("amended", "2026-11-01"), ("amended", "2026-10-01")} <= korea_events
    # A check is never proposed: the seed's check of the new act is left to an editor.
    assert not any("last_verified_on" in c.values for c in case.changes.all())
    assert "us-co-sb24-205" not in updates
    # The reviewer is told which proposal would undo an editor's change.
    note = case.evidence.get(title="Seed compared with the record").text
    assert "jp-ai-promotion-act: summary" in note
    assert "us-wa-test-act: the seed records a check on 2026-11-29" in note
    assert "eu-ai-act" not in note.split("withdraw those you keep")[1].split("\n*")[0]


def test_approving_the_seed_case_applies_it_through_the_write_path(newer_seed, edited_record, cast):
    _as_case(newer_seed)
    case = Case.objects.latest("id")
    case = move(case, cast["editor"], State.TRIAGED, State.IN_PROGRESS, State.IN_REVIEW)

    approval = services.case_approve(case=case, reviewer=cast["reviewer"])

    assert approval.case.state == State.PUBLISHED
    washington = Jurisdiction.objects.get(code="US-WA")
    act = Instrument.objects.get(slug="us-wa-test-act")
    assert act.jurisdiction == washington and act.status == "signed"
    assert Obligation.objects.get(instrument=act, key="disclose-ai").applies_from.isoformat() == (
        "2027-01-01"
    )
    assert Amendment.objects.get(key="wa-test-act-implements-colorado").source_instrument == act
    assert Instrument.objects.get(slug="eu-ai-act").summary == "The seed's newer summary."
    korea = Instrument.objects.get(slug="kr-ai-basic-act")
    # The seed's own amendment of 2025-12-30, the newer seed's event and the editor's.
    assert korea.events.filter(kind="amended").count() == 3
    assert Instrument.objects.get(slug="us-co-sb24-205").last_verified_on.isoformat() == (
        "2026-12-01"
    )
    assert Jurisdiction.objects.get(code="G7").memberships.filter(member__code="KR").exists()
    applied = AppliedChange.objects.filter(case=case)
    assert applied.exists() and set(applied.values_list("origin", flat=True)) == {Origin.CASE}
    assert act.last_verified_on is None  # the seed's check is not taken over by a case
    # The record now agrees with that seed: a second run has nothing to propose.
    assert "no case opened" in _as_case(newer_seed)
