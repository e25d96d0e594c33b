"""A source's new status becomes a proposed event of the instrument: status is never typed."""

import copy
import json

import pytest

from apps.amendments.status import derive_status
from apps.cases.models import Case, ProposedChange
from apps.instruments.models import Instrument, InstrumentEvent
from apps.jurisdictions.models import Jurisdiction
from apps.sources import services
from apps.sources.models import Source
from tests.helpers import publish
from tests.local_http import Page

pytestmark = pytest.mark.django_db


def test_a_bill_passing_one_chamber_proposes_the_event_and_publishes_the_status(
    local_site, fixtures_dir, settings, cast, django_capture_on_commit_callbacks
):
    settings.SOURCES_ALLOW_PRIVATE = True
    bill = Instrument.objects.create(
        slug="us-hr21-117",
        title="FedRAMP Authorization Act",
        kind="bill",
        legal_force="binding",
        jurisdiction=Jurisdiction.objects.get(code="US"),
    )
    introduced_event = InstrumentEvent.objects.create(
        instrument=bill, kind="introduced", date="2021-01-04", date_precision="day"
    )
    data = json.loads((fixtures_dir / "congress_gov_v3__bill_117_hr_21.json").read_text())
    introduced = copy.deepcopy(data)
    introduced["bill"]["latestAction"] = {"actionDate": "2021-01-04", "text": "Introduced in House"}
    local_site.pages["/bill"] = Page(json.dumps(introduced).encode(), "application/json")
    source = Source.objects.create(
        name="Congress.gov: H.R. 21", kind="json", adapter="congress", url=local_site.url("/bill")
    )
    source.instruments.add(bill)
    services.check_source(source.pk)
    local_site.pages["/bill"] = Page(json.dumps(data).encode(), "application/json")
    assert services.check_source(source.pk).outcome == "changed"

    case = Case.objects.get(source=source)
    proposal = ProposedChange.objects.get(case=case)
    assert (proposal.target, proposal.action, proposal.row_id) == ("instrument", "update", bill.pk)
    added = [e for e in proposal.values["events"] if e["kind"] == "passed_chamber"]
    assert added and added[0]["date"] == "2021-01-06"
    assert bill.status != "under_negotiation"  # nothing published yet

    with django_capture_on_commit_callbacks(execute=True):
        publish(case, cast["editor"], cast["reviewer"])
    bill.refresh_from_db()
    assert derive_status(bill).status == "under_negotiation"
    # The earlier event is kept as it was (same row, so its citations stay).
    assert bill.events.get(kind="introduced").pk == introduced_event.pk
