"""Served Federal Register documents that change: the case the watcher opens holds what
changed, as rows an editor can approve, and nothing it cannot trust."""

import json

import pytest

from apps.amendments.models import Amendment
from apps.cases.models import Case, ProposedChange
from apps.instruments.models import Identifier, Instrument, InstrumentEvent
from apps.jurisdictions.models import Jurisdiction
from apps.sources import services
from apps.sources.models import Change, Source
from tests.helpers import publish
from tests.local_http import Page

pytestmark = pytest.mark.django_db

EO_13497 = "federalregister_v1__document_E9-2486_EO13497_revokes_EO13258_EO13422.json"
EO_13258 = "federalregister_v1__document_EO13258_revoked_by_EO13497.json"
CORPUS = "federalregister_v1__eo_notes_corpus"


def _order(number: int, title: str, signed: str | None = None) -> Instrument:
    order = Instrument.objects.create(
        slug=f"us-eo-{number}",
        title=title,
        kind="executive_order",
        legal_force="binding",
        jurisdiction=Jurisdiction.objects.get(code="US"),
    )
    Identifier.objects.create(instrument=order, scheme="eo", value=str(number))
    if signed:
        InstrumentEvent.objects.create(
            instrument=order, kind="signed", date=signed, date_precision="day"
        )
    return order


def _document(fixtures_dir, name: str) -> dict:
    return json.loads((fixtures_dir / name).read_text())


def _with_notes(document: dict, notes: str) -> dict:
    return {**document, "executive_order_notes": notes, "disposition_notes": notes}


def _watch(local_site, path: str, first: dict, then: dict) -> Source:
    """A source serving `first` (the baseline), then `then`: one change."""
    local_site.pages[path] = Page(json.dumps(first).encode(), "application/json")
    source = Source.objects.create(
        name=f"Federal Register: {path}",
        kind="json",
        adapter="federal_register",
        url=local_site.url(path),
    )
    assert services.check_source(source.pk).outcome == "baseline"
    local_site.pages[path] = Page(json.dumps(then).encode(), "application/json")
    return source


def _note(case: Case) -> str:
    return case.evidence.get(kind="note").text


def test_a_revoked_by_note_opens_one_case_with_the_proposed_amendment(
    local_site, fixtures_dir, settings
):
    settings.SOURCES_ALLOW_PRIVATE = True
    revoked = _order(13258, "Amending Executive Order 12866 on Regulatory Planning and Review")
    revoking = _order(13497, "Revocation of Certain Executive Orders")
    document = _document(fixtures_dir, EO_13258)
    source = _watch(local_site, "/documents/2002-05069.json", _with_notes(document, ""), document)
    source.instruments.add(revoked)

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
    assert proposal.values["target_provision"] == ""
    assert proposal.values["effective_on"] == "2009-01-30"
    assert "Revoked by" in case.evidence.get(kind="source_change").text
    # EO 12866 is not in the record: its amendment is text for the editor, not a row.
    assert _note(case) == (
        "* EO 13258 amends EO 12866 on 2002-02-26: not proposed, us-eo-12866 (eo 12866) "
        "not in the record"
    )


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
    assert proposal.values["jurisdiction"] == Jurisdiction.objects.get(code="US").pk
    assert {"scheme": "eo", "value": "13859", "provenance": "editorial"} in (
        proposal.values["identifiers"]
    )

    with django_capture_on_commit_callbacks(execute=True):
        publish(case, cast["editor"], cast["reviewer"])
    order = Instrument.objects.get(slug="us-eo-13859")
    assert order.identifiers.filter(scheme="fr_doc", value="2019-02544").exists()
    assert order.events.get(kind="signed").date.isoformat() == "2019-02-11"
    assert order.status == "in_force"


def test_a_new_order_and_its_revocation_are_proposed_together_in_one_case(
    local_site, fixtures_dir, settings, cast, django_capture_on_commit_callbacks
):
    """The revoking order is not in the record yet: the case proposes the order and its
    revocation, which names the order by reference; approving the case creates both."""
    settings.SOURCES_ALLOW_PRIVATE = True
    revoked = _order(13258, "Amending Executive Order 12866", signed="2002-02-26")
    source = _watch(local_site, "/latest.json", {"results": []}, _document(fixtures_dir, EO_13497))
    assert services.check_source(source.pk).outcome == "changed"

    case = Case.objects.get(source=source)
    order, amendment = ProposedChange.objects.filter(case=case).order_by("target")[::-1]
    assert (order.target, order.values["slug"]) == ("instrument", "us-eo-13497")
    assert amendment.target == "amendment" and amendment.proposed_by is None
    assert amendment.values["source_instrument"]["slug"] == "us-eo-13497"
    assert amendment.values["target_instrument"] == revoked.pk
    assert amendment.values["effective_on"] == "2009-01-30"
    assert _note(case).splitlines() == [
        "* EO 13497 revokes EO 13422 on 2009-01-30: not proposed, us-eo-13422 (eo 13422) "
        "not in the record",
    ]

    with django_capture_on_commit_callbacks(execute=True):
        publish(case, cast["editor"], cast["reviewer"])
    revoking = Instrument.objects.get(slug="us-eo-13497")
    created = Amendment.objects.get(target_instrument=revoked)
    assert (created.source_instrument, created.kind) == (revoking, "revokes")
    revoked.refresh_from_db()
    assert revoked.status == "revoked"
    assert not Case.objects.filter(follows_up=case, kind="source_change").exists()


def test_a_revoked_by_note_naming_an_order_not_in_the_record_proposes_that_order_too(
    local_site, fixtures_dir, settings, cast, django_capture_on_commit_callbacks
):
    """EO 13258's "Revoked by: EO 13497, January 30, 2009" while EO 13497 is not in the
    record: the case proposes EO 13497 (number and signature from the note) and the
    revocation naming it, as a "Revokes:" document does, instead of a note."""
    settings.SOURCES_ALLOW_PRIVATE = True
    revoked = _order(13258, "Amending Executive Order 12866", signed="2002-02-26")
    document = _document(fixtures_dir, EO_13258)
    source = _watch(local_site, "/documents/2002-05069.json", _with_notes(document, ""), document)
    source.instruments.add(revoked)
    assert services.check_source(source.pk).outcome == "changed"

    case = Case.objects.get(source=source)
    proposed = {p.target: p for p in ProposedChange.objects.filter(case=case)}
    assert proposed["instrument"].values["slug"] == "us-eo-13497"
    assert proposed["amendment"].values["source_instrument"]["slug"] == "us-eo-13497"
    assert "us-eo-13497" not in _note(case)  # only EO 12866's amendment is left as a note

    with django_capture_on_commit_callbacks(execute=True):
        publish(case, cast["editor"], cast["reviewer"])
    revoking = Instrument.objects.get(slug="us-eo-13497")
    assert revoking.events.get(kind="signed").date.isoformat() == "2009-01-30"
    assert revoking.identifiers.filter(scheme="eo", value="13497").exists()
    revoked.refresh_from_db()
    assert revoked.status == "revoked"


def test_a_partial_revocation_keeps_its_extent_and_leaves_the_order_in_force(
    local_site, fixtures_dir, settings, cast, django_capture_on_commit_callbacks
):
    settings.SOURCES_ALLOW_PRIVATE = True
    partly_revoked = _order(13177, "National Commission on the Use of Offsets", "2000-12-04")
    revoking = _order(13316, "Continuance of Certain Federal Advisory Committees", "2003-09-17")
    document = _document(fixtures_dir, f"{CORPUS}/EO_13177.json")
    source = _watch(local_site, "/documents/00-31252.json", _with_notes(document, ""), document)
    assert services.check_source(source.pk).outcome == "changed"

    case = Case.objects.get(source=source)
    (proposal,) = ProposedChange.objects.filter(case=case)
    assert proposal.values["kind"] == "revokes"
    assert proposal.values["source_instrument"] == revoking.pk
    assert proposal.values["target_provision"] == "in part"

    with django_capture_on_commit_callbacks(execute=True):
        publish(case, cast["editor"], cast["reviewer"])
    amendment = Amendment.objects.get(target_instrument=partly_revoked)
    assert amendment.target_provision == "in part"
    partly_revoked.refresh_from_db()
    assert partly_revoked.status == "in_force"


def test_relations_the_previous_document_stated_are_not_proposed_again(
    local_site, fixtures_dir, settings
):
    """EO 13708's record gained "Amended by: EO 13811" in 2017; its older relations, in
    the previous document too, are not proposed again."""
    settings.SOURCES_ALLOW_PRIVATE = True
    for number in (12829, 13652, 13708):
        _order(number, f"Executive Order {number}")
    amending = _order(13811, "Continuance of Certain Federal Advisory Committees")
    document = _document(fixtures_dir, f"{CORPUS}/EO_13708.json")
    notes = document["executive_order_notes"]
    assert notes.endswith("\nAmended by: EO 13811, September 29, 2017")
    earlier = notes.removesuffix("\nAmended by: EO 13811, September 29, 2017")
    source = _watch(
        local_site, "/documents/2015-25489.json", _with_notes(document, earlier), document
    )
    assert services.check_source(source.pk).outcome == "changed"

    (proposal,) = ProposedChange.objects.filter(case__source=source)
    assert (proposal.values["kind"], proposal.values["source_instrument"]) == (
        "amends",
        amending.pk,
    )


def test_a_revocation_recorded_under_another_key_is_not_proposed_again(
    local_site, fixtures_dir, settings
):
    settings.SOURCES_ALLOW_PRIVATE = True
    revoked = _order(13258, "Amending Executive Order 12866")
    revoking = _order(13497, "Revocation of Certain Executive Orders")
    Amendment.objects.create(
        key="regulatory-review-orders-revoked-2009",
        kind="revokes",
        source_instrument=revoking,
        target_instrument=revoked,
        effective_on="2009-01-30",
        effective_on_precision="day",
    )
    document = _document(fixtures_dir, EO_13258)
    source = _watch(local_site, "/documents/2002-05069.json", _with_notes(document, ""), document)
    assert services.check_source(source.pk).outcome == "changed"

    assert not ProposedChange.objects.filter(case__source=source).exists()
