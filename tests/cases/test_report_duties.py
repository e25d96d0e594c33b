"""Who takes reader reports is set by administrators in the desk: one editor per
jurisdiction and one on duty, each someone who can work cases."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.cases.models import ReportDuty
from apps.jurisdictions.models import Jurisdiction

pytestmark = pytest.mark.django_db

ADD = "admin:cases_reportduty_add"


@pytest.fixture
def eu():
    return Jurisdiction.objects.get(code="EU")


def test_an_administrator_names_the_editor_of_a_jurisdiction_and_the_one_on_duty(client, cast, eu):
    client.force_login(cast["administrator"])
    named = client.post(reverse(ADD), {"jurisdiction": eu.pk, "editor": cast["editor2"].pk})
    on_duty = client.post(reverse(ADD), {"jurisdiction": "", "editor": cast["editor"].pk})
    assert named.status_code == on_duty.status_code == 302
    assert ReportDuty.objects.get(jurisdiction=eu).editor == cast["editor2"]
    assert ReportDuty.objects.get(jurisdiction__isnull=True).editor == cast["editor"]


def test_a_duty_refuses_someone_who_cannot_work_cases_beside_the_field(client, cast, eu):
    client.force_login(cast["administrator"])
    response = client.post(reverse(ADD), {"jurisdiction": eu.pk, "editor": cast["staff"].pk})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors == {"editor": ["Choose an editor or reviewer: only they can work a report."]}
    assert not ReportDuty.objects.exists()


@pytest.mark.parametrize("where", ["EU", ""])
def test_a_second_editor_for_the_same_slot_is_refused(client, cast, eu, where):
    jurisdiction = eu if where else None
    ReportDuty.objects.create(jurisdiction=jurisdiction, editor=cast["editor"])
    client.force_login(cast["administrator"])
    response = client.post(
        reverse(ADD), {"jurisdiction": eu.pk if where else "", "editor": cast["editor2"].pk}
    )
    assert response.status_code == 200
    assert "already has its editor" in response.content.decode()
    assert ReportDuty.objects.get().editor == cast["editor"]


def test_an_editor_sees_who_takes_reports_but_cannot_change_it(client, cast, eu):
    ReportDuty.objects.create(jurisdiction=eu, editor=cast["editor2"])
    client.force_login(cast["editor"])
    assert client.get(reverse("admin:cases_reportduty_changelist")).status_code == 200
    refused = client.post(reverse(ADD), {"jurisdiction": "", "editor": cast["editor"].pk})
    assert refused.status_code == 403 and ReportDuty.objects.count() == 1
