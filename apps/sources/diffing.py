"""Hashes, line and word diffs, and a first guess at how much a change matters.

Diffs are data: templates render (and escape) them. Significance only orders the
editors' queue; it never decides anything on its own.

A diff has a work budget: difflib's matcher costs time quadratic in the number of
repeated lines or words, so a page of thousands of identical lines could hold a
worker for minutes. Past the budget a line diff becomes one summary line ("too large
to diff", with counts) and a reason of the change; a word diff becomes the whole old
line deleted and the whole new line inserted. The budget and the matcher it charges
are in bounded_diff.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from apps.sources.bounded_diff import DIFF_BUDGET, Budget, Opcode, TooLarge, opcodes_within

# Terms whose appearance usually means an instrument's status changed.
HIGH_TERMS: dict[str, str] = {
    "withdrawn": "withdrawal",
    "withdrawal": "withdrawal",
    "withdraws": "withdrawal",
    "repealed": "repeal",
    "repeal": "repeal",
    "repeals": "repeal",
    "repealing": "repeal",
    "revoked": "revocation",
    "revokes": "revocation",
    "revocation": "revocation",
    "revoked by": "revocation",
    "entry into force": "entry into force",
    "entered into force": "entry into force",
    "enters into force": "entry into force",
    "superseded": "supersession",
    "supersedes": "supersession",
    "became public law": "enactment",
    "signed into law": "enactment",
}
# Terms that usually mean the text moved on without a change of status.
MEDIUM_TERMS: dict[str, str] = {
    "amended": "amendment",
    "amends": "amendment",
    "amending": "amendment",
    "corrigendum": "correction",
    "adopted": "adoption",
}
SIGNIFICANT_TERMS: dict[str, str] = {**HIGH_TERMS, **MEDIUM_TERMS}

_MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
_MONTHS = "|".join(_MONTH_NAMES)
_ORDINAL = r"(?:st|nd|rd|th)?"
# ISO, "6.4.2016", "6 April 2016", "1st January 2016" (legislation.gov.uk), "April 6, 2016".
_DATE = re.compile(
    rf"\b(\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}\.\d{{1,2}}\.\d{{4}}"
    rf"|\d{{1,2}}{_ORDINAL}\s+(?:{_MONTHS})\s+\d{{4}}"
    rf"|(?:{_MONTHS})\s+\d{{1,2}}{_ORDINAL},?\s+\d{{4}})\b",
    re.IGNORECASE,
)
_DATE_PARTS = re.compile(r"\d+|[a-z]+", re.IGNORECASE)
# A line (or the label line above it) that says when something takes effect.
_FORCE = re.compile(
    r"\binto\s+force\b|\bin\s+force\b|\bcommence\w*|\beffective\b|\btakes?\s+effect\b"
    r"|\bappl(?:y|ies)\s+from\b",
    re.IGNORECASE,
)
# Words, runs of punctuation and runs of whitespace: joined back they give the line.
_TOKEN = re.compile(r"\w+|[^\w\s]+|\s+")

TOO_LARGE = "too large to diff"
# What one change may cost, so that a huge real change (a 10 MB page whose every line
# changed took two minutes and stored a 39 MB diff) still reaches an editor within
# the check's time limit, as a bounded diff with a note saying what was left out:
# - past DIFF_MAX_CHARS (both texts) no line diff is tried: a summary instead;
# - a stored diff keeps DIFF_MAX_LINES lines, then one line counting the rest;
# - the diff stops at DIFF_MAX_SECONDS wherever it is, with the same kind of note;
# - terms and dates are looked for in the first SIGNIFICANCE_MAX_CHARS characters
#   of what changed, and the reasons say so when there was more.
DIFF_MAX_CHARS = 4_000_000
DIFF_MAX_LINES = 2_000
DIFF_MAX_SECONDS = 20.0
SIGNIFICANCE_MAX_CHARS = 500_000


def _term_pattern(term: str) -> re.Pattern[str]:
    return re.compile(r"\b" + r"\s+".join(map(re.escape, term.split())) + r"\b", re.IGNORECASE)


_TERM_PATTERNS = {term: _term_pattern(term) for term in SIGNIFICANT_TERMS}


@dataclass(frozen=True)
class DiffLine:
    op: str  # "equal" | "insert" | "delete" | "replace" | "skip"
    old: str
    new: str
    words: tuple[tuple[str, str], ...] = ()


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _word_diff(old: str, new: str, budget: Budget) -> tuple[tuple[str, str], ...]:
    """(op, text) runs, op in equal/delete/insert; a replaced run is a delete then an insert.
    Past the budget: the whole old line deleted, the whole new line inserted."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    runs: list[tuple[str, str]] = []
    try:
        opcodes = opcodes_within(a, b, budget)
    except TooLarge:
        return (("delete", old), ("insert", new))
    for tag, i1, i2, j1, j2 in opcodes:
        if tag in ("equal", "delete", "replace") and i2 > i1:
            runs.append(("equal" if tag == "equal" else "delete", "".join(a[i1:i2])))
        if tag in ("insert", "replace") and j2 > j1:
            runs.append(("insert", "".join(b[j1:j2])))
    return tuple(runs)


def word_diff(old: str, new: str) -> tuple[tuple[str, str], ...]:
    """(op, text) runs from one short text to another (a field's value), on their own budget."""
    return _word_diff(old, new, Budget(DIFF_BUDGET))


def _skip(count: int) -> DiffLine:
    label = f"{count} unchanged line{'s' if count != 1 else ''}"
    return DiffLine("skip", label, label)


def _oversized(old: str, new: str) -> bool:
    return len(old) + len(new) > DIFF_MAX_CHARS


def too_large_summary(old: str, new: str) -> str:
    """What a diff past its budget shows instead: sizes and set differences (linear)."""
    a, b = old.splitlines(), new.splitlines()
    a_set, b_set = set(a), set(b)
    added = sum(1 for line in b if line not in a_set)
    removed = sum(1 for line in a if line not in b_set)
    why = (
        f" ({len(old) + len(new):,} characters, more than the {DIFF_MAX_CHARS:,} a diff reads)"
        if _oversized(old, new)
        else ""
    )
    return (
        f"{TOO_LARGE}{why}: {len(a):,} lines before, {len(b):,} after, {added:,} new, "
        f"{removed:,} gone; compare the two snapshots"
    )


def _why(lines: list[DiffLine], budget: Budget) -> str:
    if len(lines) >= DIFF_MAX_LINES:
        return f"a stored diff keeps {DIFF_MAX_LINES:,} lines"
    return f"its time limit of {DIFF_MAX_SECONDS:g} s"


def _cut(a: list[str], b: list[str], rest: list[Opcode], why: str) -> DiffLine:
    """The line that ends a diff cut short: what it leaves out, and why."""
    left = sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in rest if tag != "equal")
    note = (
        f"diff cut here ({why}): {left:,} more changed line{'s' if left != 1 else ''} "
        "not shown; compare the two snapshots"
    )
    return DiffLine("skip", note, note)


def diff_lines(old: str, new: str, *, context: int = 2) -> list[DiffLine]:
    """Line diff with ``context`` unchanged lines around each change.

    Steps: difflib opcodes over lines; an unchanged run keeps ``context`` lines next
    to each neighbouring change and collapses the rest into one "skip" line (a run
    before the first or after the last change keeps only the side facing the
    change); replaced blocks pair lines by position and carry a word diff, extra
    lines become inserts or deletes. Identical texts give an empty list. A diff past
    DIFF_BUDGET is one "skip" line holding too_large_summary(), which every view of
    a diff already shows as a note.
    """
    lines = _diff(old, new, context)
    if lines is None:
        summary = too_large_summary(old, new)
        return [DiffLine("skip", summary, summary)]
    return lines


def _diff(old: str, new: str, context: int) -> list[DiffLine] | None:
    """diff_lines, or None past the budget or DIFF_MAX_CHARS; cut short (with a note)
    past DIFF_MAX_LINES or DIFF_MAX_SECONDS."""
    if _oversized(old, new):
        return None
    a, b = old.splitlines(), new.splitlines()
    budget = Budget(DIFF_BUDGET, seconds=DIFF_MAX_SECONDS)
    try:
        opcodes = opcodes_within(a, b, budget)
    except TooLarge:
        if not budget.out_of_time():
            return None
        note = f"stopped at its time limit of {DIFF_MAX_SECONDS:g} s, {too_large_summary(old, new)}"
        return [DiffLine("skip", note, note)]
    if all(tag == "equal" for tag, *_ in opcodes):
        return []
    lines: list[DiffLine] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if len(lines) >= DIFF_MAX_LINES or budget.out_of_time():
            lines.append(_cut(a, b, opcodes[index:], _why(lines, budget)))
            break
        if tag == "equal":
            run = a[i1:i2]
            head = context if index > 0 else 0
            tail = context if index < len(opcodes) - 1 else 0
            if len(run) > head + tail:
                lines += [DiffLine("equal", s, s) for s in run[:head]]
                lines.append(_skip(len(run) - head - tail))
                lines += [DiffLine("equal", s, s) for s in run[len(run) - tail :]]
            else:
                lines += [DiffLine("equal", s, s) for s in run]
        else:
            # delete, insert or replace: a replaced block pairs lines by position, then
            # gives the longer side's extra lines. A block may be the whole document,
            # so it too stops where the diff must.
            olds, news = a[i1:i2], b[j1:j2]
            pairs = min(len(olds), len(news))
            for k in range(max(len(olds), len(news))):
                if len(lines) >= DIFF_MAX_LINES or budget.out_of_time():
                    left = ("replace", i1 + min(k, len(olds)), i2, j1 + min(k, len(news)), j2)
                    lines.append(_cut(a, b, [left, *opcodes[index + 1 :]], _why(lines, budget)))
                    return lines
                if k < pairs:
                    lines.append(
                        DiffLine("replace", olds[k], news[k], _word_diff(olds[k], news[k], budget))
                    )
                elif k < len(olds):
                    lines.append(DiffLine("delete", olds[k], ""))
                else:
                    lines.append(DiffLine("insert", "", news[k]))
    return lines


def added_text(old: str, new: str) -> str:
    """What the new text says that the old did not: inserted lines, and the inserted
    words of replaced lines, one piece per line. Past the budget: the new lines that
    the old text does not have."""
    lines = _diff(old, new, 0)
    if lines is None:
        old_lines = set(old.splitlines())
        return "\n".join(line for line in new.splitlines() if line not in old_lines)
    pieces: list[str] = []
    for line in lines:
        if line.op == "insert":
            pieces.append(line.new)
        elif line.op == "replace":
            pieces += [text.strip() for op, text in line.words if op == "insert" and text.strip()]
    return "\n".join(pieces)


# Lines of unchanged text kept around each change when counting terms: a term of up
# to three words may begin two lines before the line that completes it.
TERM_CONTEXT = 3
_PIECE_BREAK = "\n\x00\n"  # no term's pattern matches across it


def _changed_parts(a: list[str], b: list[str], opcodes: list[Opcode]) -> tuple[str, str]:
    """The changed lines of each side, with TERM_CONTEXT unchanged lines around each run
    of changes (runs whose contexts touch are one piece), as one text per side.

    The unchanged lines outside the pieces are the same on both sides, so a term that
    occurs more often in the new text than in the old one also does so in these parts;
    counting here costs time in proportion to the change, not to the document.
    """
    spans: list[list[int]] = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            continue
        lo_a, hi_a = max(0, i1 - TERM_CONTEXT), i2 + TERM_CONTEXT
        lo_b, hi_b = max(0, j1 - TERM_CONTEXT), j2 + TERM_CONTEXT
        # The equal run between two changes has one length on both sides, so contexts
        # that meet on one side meet on the other.
        if spans and lo_a <= spans[-1][1]:
            spans[-1][1], spans[-1][3] = hi_a, hi_b
        else:
            spans.append([lo_a, hi_a, lo_b, hi_b])
    old = _PIECE_BREAK.join("\n".join(a[lo:hi]) for lo, hi, _, _ in spans)
    new = _PIECE_BREAK.join("\n".join(b[lo:hi]) for _, _, lo, hi in spans)
    return old, new


def significance(old: str, new: str, *, new_items: int = 0) -> tuple[str, list[str]]:
    """("high" | "medium" | "low", reasons) for a change from ``old`` to ``new``.

    A term counts when the new text uses it more often than the old one. Counting,
    rather than scanning the added lines, also catches "entry into force" when only
    "entry" was typed into an existing line, and ignores a term that merely moved.
    Terms and dates are looked for around the changed lines only (_changed_parts),
    or in the whole texts when the line diff is past its budget.
    """
    oversized = _oversized(old, new)
    a, b = old.splitlines(), new.splitlines()
    try:
        opcodes: list[Opcode] | None = (
            None if oversized else opcodes_within(a, b, Budget(DIFF_BUDGET, DIFF_MAX_SECONDS))
        )
    except TooLarge:
        opcodes = None
    old_part, new_part = (old, new) if opcodes is None else _changed_parts(a, b, opcodes)
    # Counting every term costs a pass over the text each: a change of millions of
    # characters is read from its start only, and the reasons say so.
    partly = max(len(old_part), len(new_part)) > SIGNIFICANCE_MAX_CHARS
    if partly:
        old_part, new_part = old_part[:SIGNIFICANCE_MAX_CHARS], new_part[:SIGNIFICANCE_MAX_CHARS]
    found: dict[str, list[str]] = {}  # reason -> terms, so "revoked" and "revoked by" share one
    for term, pattern in _TERM_PATTERNS.items():
        if len(pattern.findall(new_part)) > len(pattern.findall(old_part)):
            found.setdefault(SIGNIFICANT_TERMS[term], []).append(term)
    reasons = [
        f"{reason}: " + ", ".join(f'"{t}"' for t in terms) for reason, terms in found.items()
    ]
    level = "low"
    if any(term in HIGH_TERMS for terms in found.values() for term in terms):
        level = "high"
    elif found:
        level = "medium"
    if new_items > 0:
        reasons.append(f"{new_items} new feed item{'s' if new_items != 1 else ''}")
        level = "medium" if level == "low" else level
    if partly:
        reasons.append(
            f"a large change: terms and dates read in its first {SIGNIFICANCE_MAX_CHARS:,} "
            "characters; compare the two snapshots"
        )
        level = "medium" if level == "low" else level
    if opcodes is None:
        # Nobody can read this change line by line: an editor should look at it.
        reasons.append(too_large_summary(old, new)[:200])
        level = "medium" if level == "low" else level
        moved = []
    else:
        moved = _moved_dates(a, b, opcodes, limit=DIFF_MAX_LINES)
    for before, after, takes_effect in moved:
        if takes_effect:
            reasons.append(f"coming into force date changed: {before} → {after}")
            level = "high"
        else:
            reasons.append(f"date changed: {before} → {after}")
            level = "medium" if level == "low" else level
    # One reason per distinct move: a date moved on every line of a long page is one.
    reasons = list(dict.fromkeys(reasons))
    new_dates = _new_dates(
        old if not partly else old_part, new_part, {_day(after) for _, after, _ in moved}
    )
    if new_dates:
        reasons.append("new dates: " + ", ".join(new_dates[:5]))
        level = "medium" if level == "low" else level
    return level, reasons


def _new_dates(old: str, new_part: str, shown: set[str]) -> list[str]:
    """Dates of the changed new text that the old text nowhere names, in any spelling
    ("1st January 2016" is 2016-01-01), and that no moved date already reports."""
    candidates = {d for d in _DATE.findall(new_part) if _day(d) not in shown}
    # Written the same way somewhere in the old text: not new (a substring search,
    # far cheaper than reading every date of a long document).
    candidates = {d for d in candidates if not _names(old, d)}
    if not candidates:
        return []
    old_days = {_day(d) for d in _DATE.findall(old)}
    return sorted(d for d in candidates if _day(d) not in old_days)


def _day(text: str) -> str:
    """The ISO day a date written in any of the recognised forms names, else the text."""
    parts = _DATE_PARTS.findall(text)
    try:
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            numbers = [int(p) for p in parts]
            year, month, day = numbers if len(parts[0]) == 4 else numbers[::-1]
        else:
            month_name = next(p for p in parts if p.isalpha() and p.lower() in _MONTH_NAMES)
            day, year = (int(p) for p in parts if p.isdigit())
            month = _MONTH_NAMES.index(month_name.lower()) + 1
        return dt.date(year, month, day).isoformat()
    except (ValueError, StopIteration):
        return text  # "31 February 2016": compared as written


def _names(text: str, date: str) -> bool:
    """Whether ``text`` holds ``date`` as written, as a whole: "1 May 2020" is not in
    "21 May 2020"."""
    at = text.find(date)
    while at >= 0:
        end = at + len(date)
        if not (at and text[at - 1].isalnum()) and not (end < len(text) and text[end].isalnum()):
            return True
        at = text.find(date, at + 1)
    return False


def _moved_dates(
    a: list[str], b: list[str], opcodes: list[Opcode], *, limit: int
) -> list[tuple[str, str, bool]]:
    """(old date, new date, whether the line says it is when something takes effect) for
    each line whose date was replaced by another, paired in order within the line; the
    first ``limit`` replaced lines only (what a stored diff shows)."""
    moved = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag != "replace":
            continue
        pairs = list(zip(range(i1, i2), range(j1, j2), strict=False))[:limit]
        limit -= len(pairs)
        if limit < 0:
            break
        for i, j in pairs:
            before, after = _DATE.findall(a[i]), _DATE.findall(b[j])
            gone = [d for d in before if _day(d) not in {_day(x) for x in after}]
            came = [d for d in after if _day(d) not in {_day(x) for x in before}]
            # The label may sit on the line above, as in a CLML <ComingIntoForce> element.
            takes_effect = bool(_FORCE.search(" ".join([a[i], b[j], b[j - 1] if j else ""])))
            moved += [(x, y, takes_effect) for x, y in zip(gone, came, strict=False)]
    return moved
