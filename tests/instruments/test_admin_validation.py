"""The admin refuses the same invalid data as the loader, and saves nothing."""

import pytest

from apps.amendments.models import Amendment
from apps.instruments.models import Identifier, Instrument
from tests.admin_forms import admin_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def _amendment_form(**overrides):
    act = Instrument.objects.get(slug="eu-ai-act")
    other = Instrument.objects.get(slug="eu-gdpr")
    data = {
        "key": "test-amendment",
        "kind": "amends",
        "source_instrument": act.pk,
        "target_instrument": other.pk,
        "effective_on": "2025-03-01",
        "effective_on_precision": "day",
        "provenance": "editorial",
        "announced_on_precision": "",
    }
    data.update(overrides)
    return data


def test_the_admin_accepts_a_valid_amendment(admin_client):
    response = admin_client.post("/admin/amendments/amendment/add/", _amendment_form())
    assert response.status_code == 302
    assert Amendment.objects.filter(key="test-amendment").exists()


def test_the_admin_refuses_an_instrument_amending_itself(admin_client):
    act = Instrument.objects.get(slug="eu-ai-act")
    response = admin_client.post(
        "/admin/amendments/amendment/add/", _amendment_form(target_instrument=act.pk)
    )
    assert response.status_code == 200
    assert "An instrument cannot amend itself." in response.content.decode()
    assert not Amendment.objects.filter(key="test-amendment").exists()


def test_the_admin_refuses_an_impossible_date(admin_client):
    response = admin_client.post(
        "/admin/amendments/amendment/add/", _amendment_form(effective_on="2025-02-30")
    )
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()
    assert not Amendment.objects.filter(key="test-amendment").exists()


def test_the_admin_refuses_an_unknown_kind(admin_client):
    response = admin_client.post(
        "/admin/amendments/amendment/add/", _amendment_form(kind="abolishes")
    )
    assert "Select a valid choice. abolishes is not one of the available choices." in (
        response.content.decode()
    )
    assert not Amendment.objects.filter(key="test-amendment").exists()


def test_the_admin_refuses_an_identifier_claimed_twice(admin_client):
    gdpr = Instrument.objects.get(slug="eu-gdpr")
    url = f"/admin/instruments/instrument/{gdpr.pk}/change/"
    data = admin_form_data(admin_client.get(url))
    added = int(data["identifiers-TOTAL_FORMS"])
    data["identifiers-TOTAL_FORMS"] = added + 1
    data.update(
        {
            f"identifiers-{added}-scheme": "celex",
            f"identifiers-{added}-value": "32024R1689",
            f"identifiers-{added}-provenance": "editorial",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "This identifier already belongs to another instrument." in response.content.decode()
    assert Identifier.objects.filter(value="32024R1689").count() == 1


def test_a_childs_own_admin_page_only_reads(admin_client):
    gdpr = Instrument.objects.get(slug="eu-gdpr")
    response = admin_client.post(
        "/admin/instruments/identifier/add/",
        {"instrument": gdpr.pk, "scheme": "eli", "value": "x", "provenance": "editorial"},
    )
    assert response.status_code == 403
    assert not Identifier.objects.filter(scheme="eli", value="x").exists()


def test_the_admin_refuses_a_year_date_not_on_the_first_of_january(admin_client):
    response = admin_client.post(
        "/admin/amendments/amendment/add/",
        _amendment_form(effective_on="2025-03-05", effective_on_precision="year"),
    )
    assert "a year-precision date falls on 1 January" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/admin/instruments/instrument/",
        "/admin/jurisdictions/jurisdiction/",
        "/admin/obligations/obligation/",
        "/admin/amendments/amendment/",
        "/admin/instruments/instrument/?status__exact=withdrawn",
        "/admin/instruments/instrument/?q=32024R1689",
    ],
)
def test_the_admin_lists_render(admin_client, path):
    response = admin_client.get(path)
    assert response.status_code == 200


def test_the_instrument_page_renders_with_its_inlines(admin_client):
    act = Instrument.objects.get(slug="eu-ai-act")
    response = admin_client.get(f"/admin/instruments/instrument/{act.pk}/change/")
    assert response.status_code == 200
    assert "32024R1689" in response.content.decode()
