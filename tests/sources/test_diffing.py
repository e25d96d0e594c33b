"""Hashes, diffs as data, and the significance of a change."""

from __future__ import annotations

import hashlib

import pytest

from apps.sources.diffing import (
    SIGNIFICANT_TERMS,
    DiffLine,
    added_text,
    content_hash,
    diff_lines,
    significance,
)


def numbered(count: int, prefix: str = "line") -> list[str]:
    return [f"{prefix} {n}" for n in range(1, count + 1)]


def test_the_content_hash_is_the_sha256_of_the_utf8_text() -> None:
    assert content_hash("Règlement") == hashlib.sha256("Règlement".encode()).hexdigest()
    assert content_hash("a") != content_hash("a ")


def test_identical_texts_have_no_diff() -> None:
    assert diff_lines("same\ntext", "same\ntext") == []


def test_a_changed_line_carries_a_word_level_diff() -> None:
    old = "Status: in force since 1.8.2024"
    new = "Status: repealed since 1.8.2024"

    (line,) = diff_lines(old, new)

    assert (line.op, line.old, line.new) == ("replace", old, new)
    assert ("delete", "in force") in line.words
    assert ("insert", "repealed") in line.words
    assert "".join(text for op, text in line.words if op != "insert") == old
    assert "".join(text for op, text in line.words if op != "delete") == new


def test_inserted_and_deleted_lines_are_reported_as_such() -> None:
    diff = diff_lines("a\nb\nc", "a\nc\nd")

    assert DiffLine("delete", "b", "") in diff
    assert DiffLine("insert", "", "d") in diff


def test_long_unchanged_runs_collapse_into_one_skip_line() -> None:
    old_lines = numbered(20)
    new_lines = [*old_lines]
    new_lines[9] = "line 10 amended"

    diff = diff_lines("\n".join(old_lines), "\n".join(new_lines), context=2)

    assert [d.op for d in diff] == ["skip", "equal", "equal", "replace", "equal", "equal", "skip"]
    assert diff[0].old == "7 unchanged lines"
    assert diff[-1].old == "8 unchanged lines"
    assert [d.old for d in diff[1:3]] == ["line 8", "line 9"]


def test_a_short_unchanged_run_between_changes_is_kept_whole() -> None:
    old = "\n".join(["x", *numbered(4), "y"])
    new = "\n".join(["X", *numbered(4), "Y"])

    diff = diff_lines(old, new, context=2)

    assert [d.op for d in diff] == ["replace", "equal", "equal", "equal", "equal", "replace"]


def test_a_long_run_between_changes_keeps_context_on_both_sides() -> None:
    old = "\n".join(["x", *numbered(10), "y"])
    new = "\n".join(["X", *numbered(10), "Y"])

    ops = [d.op for d in diff_lines(old, new, context=2)]

    assert ops == ["replace", "equal", "equal", "skip", "equal", "equal", "replace"]


def test_added_text_holds_new_lines_and_new_words_only() -> None:
    old = "Article 1\nStatus: in force"
    new = "Article 1\nStatus: withdrawn\nNote: see OJ C/2025/5423"

    assert added_text(old, new) == "withdrawn\nNote: see OJ C/2025/5423"


@pytest.mark.parametrize(
    "added",
    [
        "The proposal was withdrawn.",
        "Withdrawal of the proposal",
        "Directive 95/46/EC is repealed",
        "This Regulation shall repeal Directive 2002/58/EC",
        "Revoked by: EO 13497, January 30, 2009",
        "EO 13497 revokes EO 13258",
        "Date of entry into force: unknown",
        "The Act entered  into force",
        "This order is superseded",
        "Became Public Law No: 117-263.",
        "The bill was signed into law",
    ],
)
def test_status_words_in_added_text_make_a_change_highly_significant(added: str) -> None:
    level, reasons = significance("Article 1", f"Article 1\n{added}")

    assert level == "high"
    assert reasons


@pytest.mark.parametrize(
    "added",
    ["Article 3 is amended as follows", "Amends: EO 12866", "Corrigendum to Article 5", "ADOPTED"],
)
def test_amendment_words_make_a_change_of_medium_significance(added: str) -> None:
    level, _ = significance("Article 1", f"Article 1\n{added}")

    assert level == "medium"


def test_new_feed_items_make_a_change_of_medium_significance() -> None:
    level, reasons = significance("urn:a\tOld\thttp://x/a", "urn:b\tNew\thttp://x/b", new_items=1)

    assert level == "medium"
    assert "1 new feed item" in reasons


@pytest.mark.parametrize("date", ["2025-10-06", "6.10.2025", "6 October 2025", "October 6, 2025"])
def test_a_new_date_makes_a_change_of_medium_significance(date: str) -> None:
    level, reasons = significance("Applies from: to be decided", f"Applies from: {date}")

    assert level == "medium"
    assert reasons == [f"new dates: {date}"]


def test_a_reworded_sentence_without_status_words_is_of_low_significance() -> None:
    assert significance("The Commission shall report.", "The Commission must report.") == (
        "low",
        [],
    )


def test_terms_match_whole_words_only() -> None:
    level, _ = significance("", "countIncludingWithdrawnCosponsors: 2; irrepealable; prerevoked")

    assert level == "low"


def test_a_status_word_that_was_already_there_does_not_count_again() -> None:
    old = "Article 19 Repeal\nDirective 97/66/EC is hereby repealed."
    new = "Article 19 Repeal\nDirective 97/66/EC is hereby repealed with effect from today."

    assert significance(old, new)[0] == "low"


def test_every_significant_term_has_a_reason() -> None:
    assert all(reason for reason in SIGNIFICANT_TERMS.values())
    assert {"withdrawn", "repealed", "revoked by", "entry into force"} <= set(SIGNIFICANT_TERMS)


def _long_page(changed: str = "") -> str:
    lines = [f"({n}) The provider shall keep records of paragraph {n}." for n in range(400)]
    lines[10] = "This Regulation was repealed by Regulation 2024/1 on 1 May 2020."
    if changed:
        lines[300] = changed
    return "\n".join(lines)


def test_a_status_word_far_from_the_change_does_not_count() -> None:
    old, new = _long_page(), _long_page("(300) The provider shall keep fewer records.")

    assert significance(old, new) == ("low", [])


def test_a_term_begun_on_unchanged_lines_counts_when_the_change_completes_it() -> None:
    lines = ["Article 1", "Date of entry", "into", "draft", "Article 2"]
    old = "\n".join(lines)
    new = "\n".join([*lines[:3], "force: 1 May 2020", lines[4]])

    level, reasons = significance(old, new)

    assert level == "high"
    assert reasons[0] == 'entry into force: "entry into force"'


def test_a_status_word_that_moved_far_down_the_page_does_not_count() -> None:
    text = "This order is revoked by EO 14148."
    lines = [f"({n}) Paragraph {n} stays as it is." for n in range(200)]
    old = "\n".join([text, *lines])
    new = "\n".join([*lines, text])

    assert significance(old, new)[0] == "low"


def test_a_date_inside_a_longer_date_of_the_old_text_is_still_new() -> None:
    old = _long_page().replace("1 May 2020", "21 May 2020")
    new = old.replace("(300) The provider", "(300) By 1 May 2020 the provider")

    assert significance(old, new) == ("medium", ["new dates: 1 May 2020"])


def test_a_date_the_old_text_names_in_another_spelling_is_not_new() -> None:
    old = _long_page()  # "1 May 2020", far above the change
    new = _long_page("(300) Reports are due by 2020-05-01.")

    assert significance(old, new) == ("low", [])
