"""A huge real change still reaches an editor: the diff and its rating work within
limits (size, lines kept, time), and what they leave out is said in a note.

A 9.9 MB page whose every line changed took 114 s to rate and diff and stored a
39 MB diff. The limits are injected small here, so the inputs stay small and fast.
"""

from __future__ import annotations

import pytest

from apps.cases.models import Case
from apps.sources import diffing, services
from apps.sources.models import Change, Source
from tests.local_http import Page

PAGE = "federalregister_full_text_html__2019-02544_EO13859_AI.html"


def _every_line_changed(lines: int) -> tuple[str, str]:
    old = "\n".join(
        f"Sec. {n}. The order of 1 March 2020 applies to agency {n}." for n in range(lines)
    )
    new = "\n".join(
        f"Sec. {n}. The order is revoked as of 2 April 2021 for unit {n}." for n in range(lines)
    )
    return old, new


def test_a_change_past_the_size_a_diff_reads_is_one_summary_line(monkeypatch):
    monkeypatch.setattr(diffing, "DIFF_MAX_CHARS", 50_000)
    old, new = _every_line_changed(2_000)  # 130 KB

    (line,) = diffing.diff_lines(old, new)

    assert line.op == "skip"
    assert line.old.startswith("too large to diff (")
    assert "more than the 50,000 a diff reads" in line.old
    assert "2,000 new, 2,000 gone" in line.old


def test_a_long_diff_keeps_its_line_limit_and_counts_what_it_leaves_out(monkeypatch):
    monkeypatch.setattr(diffing, "DIFF_MAX_LINES", 10)
    old, new = _every_line_changed(100)

    lines = diffing.diff_lines(old, new)

    assert [line.op for line in lines] == ["replace"] * 10 + ["skip"]
    assert lines[-1].old == (
        "diff cut here (a stored diff keeps 10 lines): 90 more changed lines not shown; "
        "compare the two snapshots"
    )


def test_a_diff_past_its_time_limit_stops_and_says_so(monkeypatch):
    monkeypatch.setattr(diffing, "DIFF_MAX_SECONDS", -1)
    old, new = _every_line_changed(50)

    (line,) = diffing.diff_lines(old, new)

    assert line.old.startswith("stopped at its time limit of -1 s, too large to diff: 50 lines")


def test_rating_a_large_change_reads_its_start_and_says_so(monkeypatch):
    monkeypatch.setattr(diffing, "SIGNIFICANCE_MAX_CHARS", 5_000)
    old, new = _every_line_changed(2_000)

    level, reasons = diffing.significance(old, new)

    assert level == "high"
    assert 'revocation: "revoked"' in reasons
    assert any(
        r.startswith("a large change: terms and dates read in its first 5,000") for r in reasons
    )
    # A date moved on every line is one reason, not two thousand.
    assert reasons.count("date changed: 1 March 2020 → 2 April 2021") == 1


@pytest.mark.django_db
def test_a_page_whose_every_line_changed_opens_a_case_with_a_bounded_diff(
    local_site, fixtures_dir, settings, monkeypatch
):
    settings.SOURCES_ALLOW_PRIVATE = True
    monkeypatch.setattr(diffing, "DIFF_MAX_LINES", 5)
    page = (fixtures_dir / PAGE).read_bytes()
    local_site.pages["/eo13859.html"] = Page(page)
    source = Source.objects.create(
        name="EO 13859 full text", kind="html", url=local_site.url("/eo13859.html")
    )
    assert services.check_source(source.pk).outcome == "baseline"
    local_site.pages["/eo13859.html"] = Page(page.upper())  # every line of text changes

    assert services.check_source(source.pk).outcome == "changed"

    change = Change.objects.get(source=source)
    assert len(change.diff) == 6
    assert change.diff[-1]["op"] == "skip"
    assert change.diff[-1]["old"].startswith("diff cut here (a stored diff keeps 5 lines): ")
    assert change.diff[-1]["old"].endswith(
        "74 more changed lines not shown; compare the two snapshots"
    )
    case = Case.objects.get(source=source)
    assert "diff cut here" in case.evidence.get(kind="source_change").text
