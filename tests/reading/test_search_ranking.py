"""Search answers first (issue 23): what a reader calls an instrument finds it first,
binding law comes before the guidance the same words match, and a page is ranked
among a bounded set of candidates without losing that (issue 26)."""

from __future__ import annotations

import pytest

from apps.instruments.models import Instrument
from apps.reading import facets, search
from apps.record.services import Why, write

pytestmark = pytest.mark.django_db

# Each query, and the instrument the seed's readers mean by it.
INTENDED = [
    ("AI Act", "eu-ai-act"),
    ("general-purpose AI", "eu-ai-act"),
    ("AILD", "eu-ai-liability-directive"),
    ("EO 14110", "us-eo-14110"),
    ("Executive Order 14179", "us-eo-14179"),
    ("14365", "us-eo-14365"),
    ("生成式人工智能服务管理暂行办法", "cn-generative-ai-measures"),
    ("个人信息保护法", "cn-pipl"),
]


def _portal(q: str, **chosen) -> list[str]:
    return [row.slug for row in facets.run(q, chosen, "", 1).rows]


def _api(q: str, limit: int = 20) -> list[str]:
    return [row.slug for row in search.hits(q, limit).instruments]


@pytest.mark.parametrize(("query", "slug"), INTENDED)
def test_the_instrument_a_reader_means_comes_first(query, slug):
    assert _portal(query)[0] == slug
    assert _api(query)[0] == slug


def test_binding_law_comes_before_the_guidance_the_same_words_match():
    found = facets.run("general-purpose AI", {}, "", 1).rows
    forces = [row.legal_force for row in found]
    assert forces == sorted(forces), "every binding match before every soft-law one"
    assert "eu-ai-act-guidelines-gpai-scope" in [row.slug for row in found]
    ai_act = _portal("AI Act")
    assert ai_act.index("eu-ai-act") < ai_act.index("eu-ai-act-guidelines-prohibited-practices")


def test_an_exact_title_outranks_binding_law_that_mentions_it():
    """Soft law named exactly is what the reader asked for."""
    assert _portal("General-Purpose AI Code of Practice")[0] == "eu-gpai-code-of-practice"


def test_an_executive_order_is_found_by_the_ways_people_write_its_number():
    for query in ("EO 14110", "E.O. 14110", "eo14110", "Executive Order No. 14110"):
        assert _api(query)[0] == "us-eo-14110", query


def test_a_page_ranked_among_few_candidates_keeps_the_order_of_one_ranked_among_all(
    monkeypatch,
):
    """At the seed's size every match is a candidate; with the bound at 2 (a broad
    query at 100,000 instruments), the page a reader sees still starts with what
    they named, and the count and the page's length do not shrink."""
    everything = facets.run("AI Act", {}, "", 1)
    monkeypatch.setattr(search, "CANDIDATES", 2)
    bounded = facets.run("AI Act", {}, "", 1)

    assert bounded.total == everything.total > facets.PAGE_SIZE
    assert len(bounded.rows) == len(everything.rows) == facets.PAGE_SIZE
    assert [r.slug for r in bounded.rows][:3] == [r.slug for r in everything.rows][:3]
    assert facets.run("AI Act", {}, "", 2).rows, "a page past the bound still has rows"


def test_the_bound_limits_how_many_matches_are_ranked(monkeypatch):
    monkeypatch.setattr(search, "CANDIDATES", 3)
    rows = search.instruments("AI")
    assert rows.count() > 30
    ranked = search._candidates(rows, "AI", stop=3, exact=search.exactly_named("AI"))
    # At most 3 of each of the three bounded kinds, and the exactly named ones.
    assert len(ranked) <= 3 * 3 + rows.filter(rank__gte=search.SHORT_NAME).count()


def test_a_sorted_page_is_not_limited_to_the_candidates(monkeypatch):
    monkeypatch.setattr(search, "CANDIDATES", 1)
    by_title = facets.run("AI", {}, "title", 2)
    assert len(by_title.rows) == facets.PAGE_SIZE
    assert [r.title for r in by_title.rows] == sorted(r.title for r in by_title.rows)


def test_snippets_show_whole_sentences_or_words_with_the_match_marked():
    act = Instrument.objects.get(slug="eu-ai-liability-directive")
    long = (
        "This first sentence says nothing of the words asked for and goes on for a while. "
        "A second sentence explains how the rebuttable presumption of causality eases "
        "claims for harm. " + "Padding words follow the match for a long while. " * 8
    )
    write(
        target="instrument",
        row=act,
        values={"summary": long},
        base_version=act.version,
        why=Why.system("test: a long summary"),
    )
    [hit] = [h for h in search.hits("presumption causality", 5).instruments if h.pk == act.pk]
    assert hit.snippet.startswith("… A second sentence explains")
    assert "«presumption» of «causality»" in hit.snippet
    assert hit.snippet.endswith(("…", "."))
    assert len(hit.snippet) <= 240 + 4


def test_the_records_own_guillemets_never_become_marks():
    act = Instrument.objects.get(slug="eu-ai-act")
    write(
        target="instrument",
        row=act,
        values={"summary": "Le règlement « intelligence artificielle » fixe des règles."},
        base_version=act.version,
        why=Why.system("test: French quotation marks"),
    )
    [hit] = [h for h in search.hits("règlement", 20).instruments if h.pk == act.pk]
    assert "«" not in hit.snippet.replace("«règlement»", "")
    assert "“ intelligence artificielle ”" in hit.snippet
