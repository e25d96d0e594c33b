"""Parties and members proposed in a case reach readers only when it is published
(issue 23): the API's instrument and jurisdiction, and the portal's instrument page."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from apps.api import keys
from apps.api.models import ApiClient
from apps.cases import services
from apps.cases.models import State
from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction
from apps.record import rows
from tests.cases.child_steps import open_case
from tests.helpers import move

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(db):
    client = APIClient()
    org = ApiClient.objects.create(name="Firm", contact_email="it@example.org")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {keys.issue(org, 'k', ['read'])[1]}")
    return client


@pytest.fixture
def reader(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("reader", "r@example.org", "pw-r-1"))
    return client


def _propose(case, editor, target, row, related, item):
    items = rows.snapshot(target, row)[related] + [item]
    services.change_propose(
        case=case, actor=editor, target=target, action="update", row=row, values={related: items}
    )


def test_a_new_party_and_a_new_member_show_only_once_published(api, reader, cast):
    convention = Instrument.objects.get(slug="coe-ai-convention")
    g7 = Jurisdiction.objects.get(code="G7")
    brazil = Jurisdiction.objects.get(code="BR").pk
    case = open_case(cast["editor"], convention)
    _propose(case, cast["editor"], "instrument", convention, "parties", {"jurisdiction": brazil})
    _propose(case, cast["editor"], "jurisdiction", g7, "memberships", {"member": brazil})

    def shown():
        parties = api.get("/api/v1/instruments/coe-ai-convention/", {"include": "parties"}).json()
        members = api.get("/api/v1/jurisdictions/G7/", {"include": "members"}).json()
        page = reader.get("/instruments/coe-ai-convention/").content.decode()
        return (
            "BR" in {p["jurisdiction"] for p in parties["parties"]},
            "BR" in {m["member"] for m in members["members"]},
            "Brazil" in page,
        )

    assert shown() == (False, False, False)
    move(case, cast["editor"], State.IN_REVIEW)
    assert shown() == (False, False, False)
    services.case_approve(case=case, reviewer=cast["reviewer"])
    assert shown() == (True, True, True)
