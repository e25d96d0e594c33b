"""A duty's fines are proposed on the obligation's form (issue 23): the boxes offer the
instrument's penalty provisions only, a link kept keeps its source, another instrument's
row is refused beside the field, and the published case writes what was ticked."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from apps.cases.forms import proposal_form_class, proposal_values
from apps.obligations.models import FineLink, Obligation
from apps.record import rows
from tests.admin_forms import form_data
from tests.helpers import case_proposing, publish

pytestmark = pytest.mark.django_db

ACT = "eu-ai-act"
DUTY = "article-16-high-risk-provider-obligations"
GENERAL_FINE = "article-99-penalty-other-obligations"
INFORMATION_FINE = "article-99-penalty-incorrect-information"


def _row(key: str, slug: str = ACT) -> Obligation:
    return Obligation.objects.get(instrument__slug=slug, key=key)


def _form(**changes):
    blank = proposal_form_class("obligation")(instance=_row(DUTY))
    data = {k: v for k, v in form_data(blank).items() if k not in {"penalties", "conditions"}}
    data.update({"penalties-TOTAL_FORMS": 0, "penalties-INITIAL_FORMS": 0})
    data.update({"conditions-TOTAL_FORMS": 0, "conditions-INITIAL_FORMS": 0})
    return proposal_form_class("obligation")({**data, **changes}, instance=_row(DUTY))


def test_the_form_offers_the_instruments_penalty_provisions_with_the_linked_one_ticked():
    form = proposal_form_class("obligation")(instance=_row(DUTY))
    offered = set(form.fields["fine_links"].queryset.values_list("key", flat=True))
    assert {GENERAL_FINE, INFORMATION_FINE, "article-101-gpai-fines"} <= offered
    assert "article-4-ai-literacy" not in offered  # carries no penalty
    assert not offered - set(
        Obligation.objects.filter(instrument__slug=ACT, penalties__isnull=False).values_list(
            "key", flat=True
        )
    )
    assert form.initial["fine_links"] == [_row(GENERAL_FINE).pk]


def test_untouched_fines_are_not_part_of_the_proposal():
    form = _form(requirement="Providers must meet the requirements.")
    assert form.is_valid(), form.errors
    assert "fine_links" not in proposal_values("obligation", form, new=False)


def test_a_ticked_fine_is_published_and_the_kept_link_keeps_its_source(cast):
    kept = FineLink.objects.get(obligation=_row(DUTY), fine=_row(GENERAL_FINE))
    sources = set(kept.citations.values_list("key", flat=True))
    assert sources
    form = _form(fine_links=[_row(GENERAL_FINE).pk, _row(INFORMATION_FINE).pk])
    assert form.is_valid(), form.errors
    values = proposal_values("obligation", form, new=False)
    assert values["fine_links"] == [
        {"fine": _row(GENERAL_FINE).pk},
        {"fine": _row(INFORMATION_FINE).pk},
    ]

    publish(case_proposing(cast["editor"], _row(DUTY), values), cast["editor"], cast["reviewer"])

    links = FineLink.objects.filter(obligation=_row(DUTY))
    assert set(links.values_list("fine__key", flat=True)) == {GENERAL_FINE, INFORMATION_FINE}
    again = links.get(fine__key=GENERAL_FINE)
    assert set(again.citations.values_list("key", flat=True)) == sources


def test_a_fine_of_another_instrument_is_refused_beside_the_field():
    elsewhere = _row("section-6-consent", "in-dpdp-act-2023")
    form = _form(fine_links=[elsewhere.pk])
    assert not form.is_valid()
    assert "fine_links" in form.errors
    assert form.data["fine_links"] == [elsewhere.pk]  # what was ticked is kept


@pytest.mark.parametrize(
    ("fine", "said"),
    [
        (("in-dpdp-act-2023", "section-6-consent"), "is a provision of another instrument"),
        ((ACT, "article-4-ai-literacy"), "carries no penalty"),
    ],
)
def test_the_write_path_refuses_a_bad_link_for_a_new_duty_too(fine, said):
    # A proposed new obligation has no row yet: its instrument decides.
    values = {
        "instrument": _row(DUTY).instrument_id,
        "key": "new-duty",
        "provision": "Article 27",
        "addressee": "deployer",
        "requirement": "Assess the impact on fundamental rights.",
        "fine_links": [{"fine": _row(fine[1], fine[0]).pk}],
    }
    with pytest.raises(ValidationError) as refused:
        rows.build("obligation", values, None)
    assert any(said in m for m in refused.value.message_dict["fine_links"])
