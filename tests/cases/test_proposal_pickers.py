"""Pickers of the proposal forms search instead of listing, add without dropping, accept a
typed key without the script, and stay narrow."""

import re

import pytest
from django.urls import reverse

from apps.cases.forms import proposal_form_class, proposal_values
from apps.core.models import Citation
from apps.instruments.models import Instrument
from apps.obligations.models import Obligation
from apps.reading import pickers
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


def test_a_citation_typed_by_its_key_joins_the_ticked_ones():
    cited = list(_obligation().citations.values_list("key", flat=True))
    other = Citation.objects.exclude(key__in=cited).order_by("pk").first()

    form = _form(citations=[*cited, f"  {other.key.upper()} "])

    assert form.is_valid(), form.errors
    assert "citations" in form.changed_data
    assert set(proposal_values("obligation", form, new=False)["citations"]) == {
        *Citation.objects.filter(key__in=cited).values_list("pk", flat=True),
        other.pk,
    }


def test_an_unknown_citation_key_is_refused_by_name_and_kept_in_the_box():
    form = _form(citations=["no-such-citation"])

    assert not form.is_valid()
    assert "No citation has the key “no-such-citation”" in form.errors["citations"][0]
    assert 'value="no-such-citation"' in str(form["citations"])


def test_the_form_lists_only_the_chosen_citations_and_no_instrument():
    html = proposal_form_class("obligation")(instance=_obligation()).as_table()
    chosen = list(_obligation().citations.all())
    assert "<option" not in str(proposal_form_class("obligation")()["instrument"])
    boxes = re.findall(r'type="checkbox" name="citations" value="([^"]+)" checked', html)
    assert sorted(boxes) == sorted(c.key for c in chosen)
    assert Citation.objects.count() > len(chosen) + 10  # the others are not there


def test_an_instrument_is_named_by_its_slug_and_shown_by_its_title():
    bound = proposal_form_class("obligation")(instance=_obligation())["instrument"]
    html = str(bound)
    assert 'value="eu-ai-act"' in html and "data-search-picker" in html
    assert Instrument.objects.get(slug="eu-ai-act").title in html
    assert 'role="combobox"' in html and 'aria-controls="id_instrument-matches"' in html


def test_a_typed_slug_moves_the_obligation_and_an_unknown_one_is_refused():
    gdpr = Instrument.objects.get(slug="eu-gdpr")
    moved = _form(instrument="eu-gdpr")
    assert moved.is_valid(), moved.errors
    assert proposal_values("obligation", moved, new=False)["instrument"] == gdpr.pk

    unchanged = _form(instrument=str(_obligation().instrument_id))  # an id, as a link gives
    assert unchanged.is_valid() and "instrument" not in unchanged.changed_data

    superscript = _form(instrument="²")  # a digit to str.isdigit, not to int()
    assert "No instrument has the slug “²”" in superscript.errors["instrument"][0]

    wrong = _form(instrument="eu-ai-ac")
    assert not wrong.is_valid()
    assert "No instrument has the slug “eu-ai-ac”" in wrong.errors["instrument"][0]


def test_the_lookup_finds_rows_by_part_of_a_name_best_first_and_a_few_only(client, cast):
    client.force_login(cast["editor"])
    url = reverse("admin:cases_case_lookup", args=["instrument"])

    halfway = client.get(url, {"q": "laying down harmonised rules on artific"}).json()["results"]
    short_name = client.get(url, {"q": "AILD"}).json()["results"]
    common = client.get(url, {"q": "act"}).json()["results"]

    assert "eu-ai-act" in [r["key"] for r in halfway]
    assert short_name[0]["key"] == "eu-ai-liability-directive"
    titled_act = Instrument.objects.filter(title__icontains="act").count()
    assert 0 < len(common) <= pickers.LIMIT < titled_act
    citation = Citation.objects.order_by("pk").first()
    found = client.get(
        reverse("admin:cases_case_lookup", args=["citation"]), {"q": citation.title[2:14]}
    ).json()["results"]
    assert citation.key in [r["key"] for r in found]


def test_the_lookup_is_for_those_who_propose(client, cast):
    url = reverse("admin:cases_case_lookup", args=["citation"])
    assert client.get(url, {"q": "act"}).status_code == 302  # to the sign-in page
    client.force_login(cast["staff"])
    assert client.get(url, {"q": "act"}).status_code == 403
    client.force_login(cast["editor"])
    assert client.get(reverse("admin:cases_case_lookup", args=["user"])).status_code == 404


def test_no_box_of_the_form_is_wider_than_a_laptop_allows():
    html = proposal_form_class("obligation")(instance=_obligation()).as_table()
    sizes = [int(n) for n in re.findall(r'<input type="text"[^>]*size="(\d+)"', html)]
    columns = [int(n) for n in re.findall(r'<textarea[^>]*cols="(\d+)"', html)]
    assert sizes and columns
    assert max(sizes) <= 60 and max(columns) <= 60
    assert not re.search(r'<input type="text"(?![^>]*size=)', html)


def test_a_jurisdictions_parent_is_typed_by_its_code_in_any_case():
    from apps.jurisdictions.models import Jurisdiction

    france = Jurisdiction.objects.get(code="FR")
    form_class = proposal_form_class("jurisdiction")
    assert "<option" not in str(form_class(instance=france)["parent"])
    form = form_class({**form_data(form_class(instance=france)), "parent": "eu"}, instance=france)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["parent"] == Jurisdiction.objects.get(code="EU")
