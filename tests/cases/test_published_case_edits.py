"""A published case stays as it was approved: its title and description are closed to edits."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.cases import services
from apps.cases.models import Case
from apps.instruments.models import Instrument
from tests.helpers import case_proposing, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(cast) -> Case:
    row = Instrument.objects.get(slug="us-eo-14110")
    case = case_proposing(cast["editor"], row, {"summary": "Revoked."}, title="Approved title")
    publish(case, cast["editor"], cast["reviewer"])
    return Case.objects.get(pk=case.pk)


def test_the_service_refuses_to_edit_a_published_case(published, cast):
    with pytest.raises(ValidationError, match="A closed case is not edited"):
        services.case_edit(case=published, actor=cast["editor"], title="Rewritten afterwards")
    published.refresh_from_db()
    assert published.title == "Approved title"


def test_the_case_form_leaves_a_published_case_as_it_was(client, published, cast):
    client.force_login(cast["editor"])
    url = reverse("admin:cases_case_change", args=[published.pk])
    response = client.post(
        url, {"title": "Rewritten", "description": "Changed", "priority": 2}, follow=True
    )
    assert response.status_code == 200
    published.refresh_from_db()
    assert (published.title, published.description) == ("Approved title", "")
