"""Diffs read as an editor reads: labels, display values, names, items and marked words.

One renderer serves open proposals, published cases and the watcher's changes;
whatever the text, it is escaped.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.cases import diffs, services
from apps.cases.models import State
from apps.core.models import Citation
from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction
from apps.sources import highlight
from tests.helpers import move, publish

pytestmark = pytest.mark.django_db

HOSTILE = '<img src=x onerror="alert(1)">'


@pytest.fixture
def eo():
    return Instrument.objects.get(slug="us-eo-14110")


@pytest.fixture
def relabel_case(cast, eo):
    """A case in progress changing codes, a foreign key, citations, a list and an identifier."""
    case = services.case_open(title="Relabel EO", kind="correction", created_by=cast["editor"])
    case = move(case, cast["editor"], State.TRIAGED, State.IN_PROGRESS)
    added = Citation.objects.exclude(instruments=eo).order_by("pk").first()
    services.change_propose(
        case=case,
        actor=cast["editor"],
        target="instrument",
        action="update",
        row=eo,
        values={
            "legal_force": "soft_law",
            "jurisdiction": Jurisdiction.objects.get(code="EU").pk,
            "pillars": ["data", "compute"],
            "citations": sorted([*eo.citations.values_list("pk", flat=True), added.pk]),
            "identifiers": [
                *eo.identifiers.values("scheme", "value"),
                {"scheme": "celex", "value": "TEST-1"},
            ],
        },
    )
    return case, added


def _rows(response) -> dict[str, diffs.FieldRow]:
    (view,) = response.context["change_views"] or response.context["applied_views"]
    return {row.key: row for row in view.fields}


def test_a_proposal_reads_with_labels_display_values_and_names(client, cast, eo, relabel_case):
    case, added = relabel_case
    client.force_login(cast["reviewer"])
    response = client.get(reverse("admin:cases_case_change", args=[case.pk]))
    rows = _rows(response)
    assert rows["legal_force"].label == "Legal force"
    legal_force = (rows["legal_force"].before, rows["legal_force"].after)
    assert legal_force == ("<del>binding</del>", "<ins>soft law</ins>")
    assert rows["jurisdiction"].label == "Jurisdiction"
    assert "United States" in rows["jurisdiction"].before
    assert "European Union" in rows["jurisdiction"].after
    # Lists item by item: the dropped pillar struck out, the citation added by its title.
    assert "<li><del>algorithm</del></li>" in rows["pillars"].before
    assert f"<ins>{added}" in rows["citations"].after
    assert "<li>Federal Register 2023-24283" in rows["citations"].before
    # A child item readably, by its scheme's display name.
    identifier = "<ins>CELEX number · TEST-1 · provenance: added by the editors</ins>"
    assert identifier in rows["identifiers"].after
    page = response.content.decode()
    for raw in ("legal_force", "soft_law", f"[{added.pk}]", "'scheme':"):
        assert f">{raw}<" not in page and raw + "</td>" not in page


def test_changed_words_are_marked_and_every_word_is_escaped(client, cast, eo):
    case = move(
        services.case_open(title="Words", kind="correction"),
        cast["editor"],
        State.TRIAGED,
        State.IN_PROGRESS,
    )
    services.change_propose(
        case=case,
        actor=cast["editor"],
        target="instrument",
        action="update",
        row=eo,
        values={"summary": eo.summary.replace("federal agencies", f"every agency {HOSTILE}", 1)},
    )
    client.force_login(cast["reviewer"])
    response = client.get(reverse("admin:cases_case_change", args=[case.pk]))
    summary = _rows(response)["summary"]
    assert summary.label == "Summary"
    assert "<del>federal agencies</del>" in summary.before
    assert "<ins>every agency &lt;img src=x onerror=&quot;alert(1)&quot;&gt;</ins>" in summary.after
    assert "directing " in summary.after  # unchanged words stay, unmarked
    assert HOSTILE not in response.content.decode()


def test_a_published_case_shows_its_stored_change_through_the_same_renderer(
    client, cast, eo, relabel_case
):
    case, added = relabel_case
    publish(case, cast["editor"], cast["reviewer"])
    # Later edits of the live row do not change what the published case shows.
    Instrument.objects.filter(pk=eo.pk).update(legal_force="binding")
    client.force_login(cast["reviewer2"])
    response = client.get(reverse("admin:cases_case_change", args=[case.pk]))
    rows = _rows(response)
    legal_force = (rows["legal_force"].label, rows["legal_force"].after)
    assert legal_force == ("Legal force", "<ins>soft law</ins>")
    assert "European Union" in rows["jurisdiction"].after
    assert f"<ins>{added}" in rows["citations"].after


def test_a_new_event_reads_as_its_kind_and_partial_date(client, cast, eo):
    case = move(
        services.case_open(title="Event", kind="correction"),
        cast["editor"],
        State.TRIAGED,
        State.IN_PROGRESS,
    )
    services.change_propose(
        case=case,
        actor=cast["editor"],
        target="instrument",
        action="update",
        row=eo,
        values={
            "events": [
                *({**e, "date": str(e["date"])} for e in eo.events.values("kind", "date")),
                {"kind": "amended", "date": "2031-01-01", "date_precision": "year"},
            ]
        },
    )
    client.force_login(cast["editor"])
    response = client.get(reverse("admin:cases_case_change", args=[case.pk]))
    events = _rows(response)["events"]
    assert events.label == "Instrument events"
    assert "<ins>amended · 2031 · provenance: added by the editors</ins>" in events.after


def test_the_watchers_change_page_and_the_case_page_share_one_highlighter():
    diff = [
        {"op": "equal", "old": "Article 1", "new": "Article 1"},
        {
            "op": "replace",
            "old": "The act is in force.",
            "new": f"The act is repealed {HOSTILE}.",
            "words": [
                ["equal", "The act is "],
                ["delete", "in force"],
                ["insert", f"repealed {HOSTILE}"],
                ["equal", "."],
            ],
        },
        {"op": "insert", "old": "", "new": "<b>new line</b>"},
    ]
    html = highlight.lines(diff)
    assert "The act is <del>in force</del><ins>repealed &lt;img" in html  # no added spaces
    assert "<ins>&lt;b&gt;new line&lt;/b&gt;</ins>" in html
    assert "<img" not in html and "<b>" not in html
    old, new = highlight.pair("in force since 2024", "repealed since 2024")
    assert (old, new) == ("<del>in force</del> since 2024", "<ins>repealed</ins> since 2024")
