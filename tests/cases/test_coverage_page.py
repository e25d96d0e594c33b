"""The editors' coverage page: obligations without conditions where thresholds matter,
each one click from proposing a condition; for editors and reviewers only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.obligations.models import Obligation
from apps.record import services as record

pytestmark = pytest.mark.django_db

URL = "/admin/obligations/obligation/coverage/"
WHY = record.Why.system("test")


def _obligation(slug: str, key: str) -> Obligation:
    return Obligation.objects.get(instrument__slug=slug, key=key)


def _page(client, user) -> str:
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def test_it_is_the_obligations_coverage_page_of_the_admin():
    assert reverse("admin:obligations_obligation_coverage") == URL


def test_it_lists_obligations_without_conditions_where_thresholds_matter(client, cast):
    page = _page(client, cast["editor"])

    gpai = _obligation("eu-ai-act", "article-53-gpai-provider-obligations")
    assert gpai.requirement[:60] in page  # its instrument has conditions elsewhere
    assert "2 other obligations of its instrument have conditions" in page
    representative = _obligation("kr-ai-basic-act", "article-36-domestic-representative")
    assert representative.requirement[:60] in page
    assert "its requirement mentions thresholds" in page
    # One that has its conditions, and one where nothing suggests a threshold, are not.
    assert _obligation("eu-ai-act", "article-55-gpai-systemic-risk").requirement[:60] not in page
    security = _obligation("cn-generative-ai-measures", "article-17-security-assessment-and-filing")
    assert security.requirement[:60] not in page


def test_each_row_links_to_its_record_page_and_proposes_a_condition_on_it(client, cast):
    page = _page(client, cast["reviewer"])
    gpai = _obligation("eu-ai-act", "article-53-gpai-provider-obligations")
    record_page = reverse("admin:instruments_instrument_record", args=[gpai.instrument_id])
    propose = reverse("admin:instruments_instrument_propose", args=[gpai.instrument_id])
    assert f'href="{record_page}"' in page
    assert f'action="{propose}"' in page and f'name="row" value="{gpai.pk}"' in page


def test_the_propose_button_opens_a_case_on_the_obligations_proposal_form(client, cast):
    gpai = _obligation("eu-ai-act", "article-53-gpai-provider-obligations")
    client.force_login(cast["editor"])
    propose = reverse("admin:instruments_instrument_propose", args=[gpai.instrument_id])
    response = client.post(propose, {"target": "obligation", "row": gpai.pk})
    assert response.status_code == 302
    assert f"/propose/obligation/{gpai.pk}/" in response["Location"]
    form = client.get(response["Location"]).content.decode()
    assert 'name="conditions-TOTAL_FORMS"' in form


def test_a_gap_closes_when_its_obligation_gets_a_condition(client, cast):
    duty = _obligation("kr-ai-basic-act", "article-36-domestic-representative")
    assert duty.requirement[:60] in _page(client, cast["editor"])
    condition = {"fact": "annual_revenue_usd", "comparison": "at_least", "number": "1"}
    record.write(target="obligation", row=duty, values={"conditions": [condition]}, why=WHY)
    assert duty.requirement[:60] not in _page(client, cast["editor"])


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_staff_without_a_role_are_refused(client, cast):
    client.force_login(cast["staff"])
    assert client.get(URL).status_code == 403


def _add_gaps(n: int) -> None:
    act = _obligation("kr-ai-basic-act", "article-36-domestic-representative").instrument
    for i in range(n):
        values = {
            "instrument": act.pk,
            "key": f"test-threshold-{i}",
            "provision": f"Article 9{i}",
            "addressee": "company",
            "requirement": f"Operators above the revenue threshold {i} must report.",
        }
        record.write(target="obligation", values=values, why=WHY)


@pytest.mark.parametrize("extra", [0, 5])
def test_its_query_count_is_pinned_whatever_the_number_of_gaps(
    client, cast, extra, django_assert_num_queries
):
    _add_gaps(extra)
    client.force_login(cast["editor"])
    client.get(URL)  # warm the session and permission caches
    # session, user, the user's own and group permissions (the role), and the gaps
    # with their instruments and jurisdictions in one query
    with django_assert_num_queries(5):
        page = client.get(URL).content.decode()
    assert page.count("Propose a condition") >= 20 + extra
