"""A served Federal Register document that gains a "Revoked by" note opens one case
with the proposed amendment, ready for review."""

import json

import pytest

from apps.cases.models import Case, ProposedChange
from apps.instruments.models import Identifier, Instrument
from apps.jurisdictions.models import Jurisdiction
from apps.sources import services
from apps.sources.models import Change, Source
from tests.helpers import publish
from tests.local_http import Page

pytestmark = pytest.mark.django_db


def _order(number: int, title: str) -> Instrument:
    order = Instrument.objects.create(
        slug=f"us-eo-{number}",
        title=title,
        kind="executive_order",
        legal_force="binding",
        jurisdiction=Jurisdiction.objects.get(code="US"),
    )
    Identifier.objects.create(instrument=order, scheme="eo", value=str(number))
    return order


def test_a_revoked_by_note_opens_one_case_with_the_proposed_amendment(
    local_site, fixtures_dir, settings
):
    settings.SOURCES_ALLOW_PRIVATE = True
    revoked = _order(13258, "Amending Executive Order 12866 on Regulatory Planning and Review")
    revoking = _order(13497, "Revocation of Certain Executive Orders")
    document = json.loads(
        (fixtures_dir / "federalregister_v1__document_EO13258_revoked_by_EO13497.json").read_text()
    )
    before = {**document, "executive_order_notes": "", "disposition_notes": ""}
    local_site.pages["/documents/2002-05069.json"] = Page(
        json.dumps(before).encode(), "application/json"
    )
    source = Source.objects.create(
        name="Federal Register: EO 13258",
        kind="json",
        adapter="federal_register",
        url=local_site.url("/documents/2002-05069.json"),
    )
    source.instruments.add(revoked)
    assert services.check_source(source.pk).outcome == "baseline"

    local_site.pages["/documents/2002-05069.json"] = Page(
        json.dumps(document).encode(), "application/json"
    )
    assert services.check_source(source.pk).outcome == "changed"
    assert services.check_source(source.pk).outcome == "unchanged"  # run twice: still one

    change = Change.objects.get(source=source)
    assert change.significance == "high"
    case = Case.objects.get(source=source)
    proposal = ProposedChange.objects.get(case=case)
    assert proposal.proposed_by is None and proposal.action == "create"
    assert proposal.target == "amendment"
    assert proposal.values["kind"] == "revokes"
    assert proposal.values["source_instrument"] == revoking.pk
    assert proposal.values["target_instrument"] == revoked.pk
    assert proposal.values["effective_on"] == "2009-01-30"
    assert "Revoked by" in case.evidence.get().text


def test_a_new_executive_order_is_proposed_as_an_instrument_and_publishes_in_force(
    local_site, fixtures_dir, settings, cast, django_capture_on_commit_callbacks
):

    settings.SOURCES_ALLOW_PRIVATE = True
    body = (fixtures_dir / "federalregister_v1__document_2019-02544_EO13859_AI.json").read_bytes()
    local_site.pages["/latest.json"] = Page(b'{"results": []}', "application/json")
    source = Source.objects.create(
        name="Federal Register: latest order",
        kind="json",
        adapter="federal_register",
        url=local_site.url("/latest.json"),
    )
    services.check_source(source.pk)
    local_site.pages["/latest.json"] = Page(body, "application/json")
    assert services.check_source(source.pk).outcome == "changed"

    case = Case.objects.get(source=source)
    proposal = ProposedChange.objects.get(case=case)
    assert proposal.target == "instrument" and proposal.values["slug"] == "us-eo-13859"
    assert {"scheme": "eo", "value": "13859", "provenance": "editorial"} in (
        proposal.values["identifiers"]
    )

    with django_capture_on_commit_callbacks(execute=True):
        publish(case, cast["editor"], cast["reviewer"])
    order = Instrument.objects.get(slug="us-eo-13859")
    assert order.identifiers.filter(scheme="fr_doc", value="2019-02544").exists()
    assert order.events.get(kind="signed").date.isoformat() == "2019-02-11"
    assert order.status == "in_force"
