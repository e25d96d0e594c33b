"""The compare page's crosswalk as the portal lays it out, and its CSV and XLSX export.

The answer is apps.reading.crosswalk's (the API's compare reads the same one);
this module turns each answer's record row into a link of the portal and writes
the export: one line per answer, with its question, jurisdiction, link and source,
so that every cell of the page is in the file with its citation.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from apps.jurisdictions.models import Approach
from apps.portal import exports
from apps.reading import compare as record_compare
from apps.reading import crosswalk
from apps.reading.cache import asks_fresh, kept

APPROACHES = dict(Approach.choices)
EXPORT_COLUMNS = [
    "question",
    "jurisdiction",
    "answer",
    "row",
    "detail",
    "date",
    "link",
    "source",
    "source link",
]


def link(item: crosswalk.Item) -> str:
    """The portal page (and the row on it) an answer comes from."""
    if item.instrument:
        page = reverse("portal:instrument", kwargs={"slug": item.instrument})
        return f"{page}#obligation-{item.obligation}" if item.obligation else page
    return reverse("portal:jurisdiction", kwargs={"code": item.jurisdiction})


def asked(params) -> tuple[list[str], str]:
    """The codes (distinct, at most five, in order) and the topic of a compare request."""
    codes = [c for c in params.getlist("j") if c][: record_compare.MAX_COMPARED]
    return list(dict.fromkeys(codes)), params.get("topic", "").strip()


def answer(codes: list[str], topic: str, fresh: bool) -> tuple[dict, bool]:
    """What the compare page and its export show, kept under the record's version and
    the day: the lists to choose from, the chosen jurisdictions, the crosswalk's columns
    and the detail rows (apps.reading.compare.compare). Whether it was kept, too."""
    today = timezone.localdate()

    def compute() -> dict:
        topics = crosswalk.topics()
        chosen = record_compare.choose(codes).jurisdictions
        known = topic if topic in dict(topics) else ""
        enough = len(chosen) >= record_compare.MIN_COMPARED
        rows = record_compare.compare(chosen) if enough else []
        for row in rows:
            row["approach_labels"] = [APPROACHES.get(a, a) for a in row["approaches"]]
        return {
            "choices": record_compare.choices(),
            "topics": topics,
            "topic": known,
            "chosen": chosen if enough else [],
            "columns": crosswalk.crosswalk(chosen, known, today) if enough else [],
            "rows": rows,
        }

    return kept("portal-compare", (codes, topic, today), compute, fresh=fresh)


def table(columns: list[crosswalk.Column]) -> list[dict]:
    """The page's rows: one per question, a cell per jurisdiction, each item linked."""
    return [
        {
            "key": key,
            "question": question,
            "cells": [
                {
                    "answer": column.cells[key].answer,
                    "found": column.cells[key].found,
                    "items": [(item, link(item)) for item in column.cells[key].items],
                }
                for column in columns
            ],
        }
        for key, question in crosswalk.QUESTIONS
    ]


def _export_rows(request: HttpRequest, columns: list[crosswalk.Column]) -> list[list]:
    rows = []
    for key, question in crosswalk.QUESTIONS:
        for column in columns:
            cell = column.cells[key]
            for item in cell.items:
                rows.append(
                    [
                        question,
                        column.jurisdiction.name,
                        cell.answer,
                        item.text,
                        item.detail,
                        item.day,
                        request.build_absolute_uri(link(item)),
                        item.source.title if item.source else "",
                        item.source.url if item.source else "",
                    ]
                )
    return rows


@login_required
def export(request: HttpRequest) -> HttpResponse:
    fmt = exports._format(request)
    codes, topic = asked(request.GET)
    found, _hit = answer(codes, topic, asks_fresh(request.headers))
    if not found["columns"]:
        raise Http404("Choose two to five published jurisdictions to compare.")
    name = "crosswalk-" + "-".join(j.code for j in found["chosen"])
    return exports._respond(_export_rows(request, found["columns"]), name, fmt, EXPORT_COLUMNS)
