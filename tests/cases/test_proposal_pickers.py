"""Pickers of the proposal forms add without dropping, name what they pick, and stay narrow."""

import re

import pytest

from apps.cases.forms import proposal_form_class, proposal_values
from apps.core.models import Citation
from apps.obligations.models import Obligation
from tests.admin_forms import form_data

pytestmark = pytest.mark.django_db

ARTICLE_99 = {"instrument__slug": "eu-ai-act", "key": "article-99-penalty-prohibited-practices"}


def _obligation() -> Obligation:
    return Obligation.objects.get(**ARTICLE_99)


def _form(**changes):
    form_class = proposal_form_class("obligation")
    data = {**form_data(form_class(instance=_obligation())), **changes}
    data.pop("penalties")
    return form_class(data, instance=_obligation())


def test_ticking_one_more_citation_keeps_every_citation_already_there():
    cited = sorted(c.pk for c in _obligation().citations.all())
    assert len(cited) >= 2
    other = Citation.objects.exclude(pk__in=cited).order_by("pk").first()

    form = _form(citations=[*cited, other.pk])

    assert form.is_valid(), form.errors
    assert proposal_values("obligation", form, new=False)["citations"] == sorted([*cited, other.pk])


def test_citations_are_checkboxes_with_a_filter_and_none_is_a_multi_select():
    html = proposal_form_class("obligation")(instance=_obligation()).as_table()
    assert "<select multiple" not in html and 'multiple=""' not in html
    assert 'class="picker-filter"' in html
    for citation in _obligation().citations.all():
        assert re.search(
            rf'type="checkbox" name="citations" value="{citation.pk}"[^>]*checked', html
        )


def test_a_related_row_is_picked_from_a_list_with_a_filter():
    form = proposal_form_class("obligation")(instance=_obligation())
    assert "data-picker" in str(form["instrument"])


def test_no_box_of_the_form_is_wider_than_a_laptop_allows():
    html = proposal_form_class("obligation")(instance=_obligation()).as_table()
    sizes = [int(n) for n in re.findall(r'<input type="text"[^>]*size="(\d+)"', html)]
    columns = [int(n) for n in re.findall(r'<textarea[^>]*cols="(\d+)"', html)]
    assert sizes and columns
    assert max(sizes) <= 60 and max(columns) <= 60
    assert not re.search(r'<input type="text"(?![^>]*size=)', html)
