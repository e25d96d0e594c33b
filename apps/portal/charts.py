"""Server-drawn SVG charts: numbers computed here, drawn by templates with CSS classes.

No script and no inline style (the CSP allows neither); each chart's template
also renders its data as a table, the text alternative.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from apps.instruments.lifecycle import APPLYING, ENDED

WIDTH, LABEL, ROW = 760, 260, 22
MAX_ROWS = 40


@dataclass(frozen=True)
class Bar:
    label: str
    slug: str
    start: dt.date
    end: dt.date
    status: str
    css: str
    x: float
    width: float
    y: int


def timeline(instruments, today: dt.date) -> dict | None:
    """One bar per instrument: from its first dated event to its end (or today)."""
    spans = []
    for instrument in instruments[:MAX_ROWS]:
        dates = sorted(e.date for e in instrument.events.all())
        if not dates:
            continue
        ended = instrument.status in ENDED and instrument.status_since
        end = instrument.status_since if ended else max(today, dates[-1])
        spans.append((instrument, dates[0], max(end, dates[0])))
    if not spans:
        return None
    first = min(s[1] for s in spans).year
    last = max(s[2] for s in spans).year + 1
    years = max(last - first, 1)
    scale = (WIDTH - LABEL - 10) / years

    def x(day: dt.date) -> float:
        return LABEL + ((day.year - first) + (day.timetuple().tm_yday - 1) / 366) * scale

    bars = []
    for n, (instrument, start, end) in enumerate(spans):
        status = instrument.status
        css = "ended" if status in ENDED else "in_force" if status in APPLYING else "open"
        bars.append(
            Bar(
                label=instrument.title
                if len(instrument.title) <= 38
                else instrument.title[:36] + "…",
                slug=instrument.slug,
                start=start,
                end=end,
                status=instrument.get_status_display(),
                css=css,
                x=round(x(start), 1),
                width=round(max(x(end) - x(start), 3), 1),
                y=20 + n * ROW,
            )
        )
    ticks = [
        {"year": year, "x": round(LABEL + (year - first) * scale, 1)}
        for year in range(first, last + 1, max(1, years // 8))
    ]
    return {"bars": bars, "ticks": ticks, "width": WIDTH, "height": 30 + len(bars) * ROW}


HEAD_LINE = 14  # px between the lines of a column's heading
NAME_CHARS = 22  # a row's name longer than this is cut: the label column is 160 px


def _heading(name: str) -> list[str]:
    """A column's heading in lines of at most two words: a 90 px column holds about
    twelve characters at 12 px, so "binding in force" on one line ran into the next."""
    words = name.split()
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= 12:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def matrix(rows: list[dict]) -> dict:
    """Jurisdictions against dimensions; a cell's shade is its count's share of the largest."""
    dimensions = sorted({k for row in rows for k in row["obligations_by_pillar"]}) or ["data"]
    columns = ["binding in force", *[f"{d} obligations" for d in dimensions]]
    table = []
    peak = 1
    for row in rows:
        values = [
            len(row["binding_in_force"]),
            *[row["obligations_by_pillar"].get(d, 0) for d in dimensions],
        ]
        peak = max(peak, *values)
        table.append((row["jurisdiction"], values))
    cell = 90
    headings = [_heading(name) for name in columns]
    top = 10 + HEAD_LINE * max(len(h) for h in headings)  # the cells start below every heading
    cells = [
        {
            "x": 160 + c * cell,
            "y": top + r * 36,
            "value": value,
            "level": 0 if value == 0 else 1 + min(3, int(3 * value / peak)),
            "label": f"{jurisdiction.name}, {columns[c]}: {value}",
        }
        for r, (jurisdiction, values) in enumerate(table)
        for c, value in enumerate(values)
    ]
    return {
        "columns": [
            {
                "name": name,
                "x": 160 + c * cell + cell // 2,
                "lines": [
                    {"text": text, "y": HEAD_LINE * (n + 1)} for n, text in enumerate(headings[c])
                ],
            }
            for c, name in enumerate(columns)
        ],
        "rows": [
            {
                "name": j.name,
                "short": j.name if len(j.name) <= NAME_CHARS else j.name[: NAME_CHARS - 1] + "…",
                "y": top + r * 36 + 22,
            }
            for r, (j, _) in enumerate(table)
        ],
        "cells": cells,
        "width": 170 + len(columns) * cell,
        "height": top + 10 + len(table) * 36,
        "table": table,
    }
