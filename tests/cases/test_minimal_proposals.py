"""A proposal carries only what its editor changed; applying it leaves the rest as it was."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.cases import services
from apps.cases.models import State
from apps.instruments.models import Identifier, Instrument, InstrumentEvent
from apps.record import rows
from apps.record.models import AppliedChange
from tests.admin_forms import form_data
from tests.helpers import move

pytestmark = pytest.mark.django_db


def _everything(instrument: Instrument) -> dict:
    """Every stored value of the instrument and its children, with their row ids."""
    fresh = rows.fetch("instrument", instrument.pk)
    return {
        "row": rows.snapshot("instrument", fresh),
        "identifiers": sorted(
            Identifier.objects.filter(instrument=instrument).values_list(
                "pk", "scheme", "value", "provenance", "provenance_note"
            )
        ),
        "events": sorted(
            (e.pk, e.kind, e.date, e.note, e.provenance, sorted(c.pk for c in e.citations.all()))
            for e in InstrumentEvent.objects.filter(instrument=instrument)
        ),
        "citations": list(
            Instrument.citations.through.objects.filter(instrument=instrument)
            .order_by("id")
            .values_list("id", "citation_id")
        ),
    }


def test_a_one_field_proposal_from_the_form_leaves_every_other_value_as_it_was(client, cast):
    aild = Instrument.objects.get(slug="eu-ai-liability-directive")
    assert aild.identifiers.filter(provenance="outside_seed").count() == 3
    assert aild.events.exists() and aild.citations.exists()
    before = _everything(aild)
    case = move(
        services.case_open(title="AILD summary", kind="correction", created_by=cast["editor"]),
        cast["editor"],
        State.TRIAGED,
        State.IN_PROGRESS,
    )
    client.force_login(cast["editor"])
    url = reverse("admin:cases_case_propose_update", args=[case.pk, "instrument", aild.pk])
    data = form_data(client.get(url).context["form"])
    data["summary"] = "A new summary, and nothing else."
    assert client.post(url, data).status_code == 302

    [change] = case.changes.all()
    assert change.values == {"summary": "A new summary, and nothing else."}
    move(case, cast["editor"], State.IN_REVIEW)
    services.case_approve(case=case, reviewer=cast["reviewer"])

    after = _everything(aild)
    assert after["row"].pop("summary") == "A new summary, and nothing else."
    before["row"].pop("summary")
    assert after == before  # provenance, children, their ids, citations and their order
    [entry] = AppliedChange.objects.filter(case=case)
    assert set(entry.after) == {"summary"}


def test_an_identifier_added_in_the_form_keeps_the_provenance_of_the_others(client, cast):
    aild = Instrument.objects.get(slug="eu-ai-liability-directive")
    case = move(
        services.case_open(title="AILD ids", kind="correction", created_by=cast["editor"]),
        cast["editor"],
        State.TRIAGED,
        State.IN_PROGRESS,
    )
    client.force_login(cast["editor"])
    url = reverse("admin:cases_case_propose_update", args=[case.pk, "instrument", aild.pk])
    data = form_data(client.get(url).context["form"])
    data["identifiers"] += "\neli http://data.europa.eu/eli/proposal/2022/496"
    assert client.post(url, data).status_code == 302
    move(case, cast["editor"], State.IN_REVIEW)
    services.case_approve(case=case, reviewer=cast["reviewer"])

    provenance = dict(aild.identifiers.values_list("scheme", "provenance"))
    assert provenance == {
        "com": "outside_seed",
        "celex": "outside_seed",
        "eu_procedure": "outside_seed",
        "eli": "editorial",
    }
