"""The applicability check kept under the record's version (apps.reading.cache): a
repeated profile is one lookup, and a publication is seen by the very next check."""

from __future__ import annotations

import pytest

from apps.obligations.models import Obligation
from tests.helpers import write

pytestmark = pytest.mark.django_db

URL = "/api/v1/applicability/"
GPAI_PROVIDER = {"market": "DE", "role": "provider", "risk_tier": "gpai", "on": "2025-09-01"}
GPAI_DUTY = "eu-ai-act:article-53-gpai-provider-obligations"


@pytest.fixture(autouse=True)
def kept_answers(settings):
    settings.READ_CACHE_SECONDS = 60


def _duty(body: dict, wanted: str = GPAI_DUTY) -> dict:
    [item] = [i for i in body["applicable"] if i["id"] == wanted]
    return item


def test_a_repeated_profile_is_answered_from_the_cache_with_the_same_body(
    api, django_assert_max_num_queries
):
    api.get(URL, {**GPAI_PROVIDER, "on": "2025-01-01"})  # key lookup and throttle warmed
    with django_assert_max_num_queries(12):  # the check's 11 and the record's version
        first = api.get(URL, GPAI_PROVIDER)
    with django_assert_max_num_queries(2):  # the key's lookup and the record's version
        second = api.get(URL, GPAI_PROVIDER)

    assert (first["X-Read-Cache"], second["X-Read-Cache"]) == ("miss", "hit")
    assert first.content == second.content
    assert second["Content-Type"] == "application/json"
    assert _duty(second.json())["applies_from"] == "2025-08-02"


def test_a_publication_is_seen_by_the_next_check(api):
    before = api.get(URL, GPAI_PROVIDER)
    duty = Obligation.objects.get(instrument__slug="eu-ai-act", key=GPAI_DUTY.split(":")[1])
    write("obligation", {"requirement": "Providers must keep the new register."}, row=duty)

    after = api.get(URL, GPAI_PROVIDER)

    assert after["X-Read-Cache"] == "miss"
    assert _duty(before.json())["requirement"] != "Providers must keep the new register."
    assert _duty(after.json())["requirement"] == "Providers must keep the new register."


def test_another_day_or_profile_is_its_own_answer(api):
    api.get(URL, GPAI_PROVIDER)
    earlier = api.get(URL, {**GPAI_PROVIDER, "on": "2025-03-01"})
    deployer = api.get(URL, {**GPAI_PROVIDER, "role": "deployer"})

    assert earlier["X-Read-Cache"] == deployer["X-Read-Cache"] == "miss"
    assert not [i for i in earlier.json()["applicable"] if i["id"] == GPAI_DUTY]
    assert not [i for i in deployer.json()["applicable"] if i["id"] == GPAI_DUTY]


def test_links_follow_the_address_the_check_was_asked_at(api, settings):
    settings.ALLOWED_HOSTS = ["testserver", "mirror.example.org"]
    api.get(URL, GPAI_PROVIDER, HTTP_HOST="testserver")
    other = api.get(URL, GPAI_PROVIDER, HTTP_HOST="mirror.example.org")

    assert other["X-Read-Cache"] == "miss"
    assert _duty(other.json())["url"].startswith("http://mirror.example.org/")


def test_a_refusal_is_never_kept(api):
    for _ in range(2):
        response = api.get(URL, {"market": "ATLANTIS"})
        assert response.status_code == 400
        assert response["Content-Type"].startswith("application/problem+json")


def test_the_cache_does_not_skip_the_key_check(api, anonymous):
    api.get(URL, GPAI_PROVIDER)
    assert anonymous.get(URL, GPAI_PROVIDER).status_code in (401, 403)
