"""Hashes, line and word diffs, and a first guess at how much a change matters.

Diffs are data: templates render (and escape) them. Significance only orders the
editors' queue; it never decides anything on its own.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass

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

_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_DATE = re.compile(
    rf"\b(\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}\.\d{{1,2}}\.\d{{4}}|\d{{1,2}} (?:{_MONTHS}) \d{{4}}"
    rf"|(?:{_MONTHS}) \d{{1,2}}, \d{{4}})\b",
    re.IGNORECASE,
)
# Words, runs of punctuation and runs of whitespace: joined back they give the line.
_TOKEN = re.compile(r"\w+|[^\w\s]+|\s+")


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


def _word_diff(old: str, new: str) -> tuple[tuple[str, str], ...]:
    """(op, text) runs, op in equal/delete/insert; a replaced run is a delete then an insert."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    runs: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("equal", "delete", "replace") and i2 > i1:
            runs.append(("equal" if tag == "equal" else "delete", "".join(a[i1:i2])))
        if tag in ("insert", "replace") and j2 > j1:
            runs.append(("insert", "".join(b[j1:j2])))
    return tuple(runs)


def _skip(count: int) -> DiffLine:
    label = f"{count} unchanged line{'s' if count != 1 else ''}"
    return DiffLine("skip", label, label)


def diff_lines(old: str, new: str, *, context: int = 2) -> list[DiffLine]:
    """Line diff with ``context`` unchanged lines around each change.

    Steps: difflib opcodes over lines; an unchanged run keeps ``context`` lines next
    to each neighbouring change and collapses the rest into one "skip" line (a run
    before the first or after the last change keeps only the side facing the
    change); replaced blocks pair lines by position and carry a word diff, extra
    lines become inserts or deletes. Identical texts give an empty list.
    """
    a, b = old.splitlines(), new.splitlines()
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    if all(tag == "equal" for tag, *_ in opcodes):
        return []
    lines: list[DiffLine] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
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
        elif tag == "delete":
            lines += [DiffLine("delete", s, "") for s in a[i1:i2]]
        elif tag == "insert":
            lines += [DiffLine("insert", "", s) for s in b[j1:j2]]
        else:
            olds, news = a[i1:i2], b[j1:j2]
            for o, n in zip(olds, news, strict=False):
                lines.append(DiffLine("replace", o, n, _word_diff(o, n)))
            lines += [DiffLine("delete", s, "") for s in olds[len(news) :]]
            lines += [DiffLine("insert", "", s) for s in news[len(olds) :]]
    return lines


def added_text(old: str, new: str) -> str:
    """What the new text says that the old did not: inserted lines, and the inserted
    words of replaced lines, one piece per line."""
    pieces: list[str] = []
    for line in diff_lines(old, new, context=0):
        if line.op == "insert":
            pieces.append(line.new)
        elif line.op == "replace":
            pieces += [text.strip() for op, text in line.words if op == "insert" and text.strip()]
    return "\n".join(pieces)


def significance(old: str, new: str, *, new_items: int = 0) -> tuple[str, list[str]]:
    """("high" | "medium" | "low", reasons) for a change from ``old`` to ``new``.

    A term counts when the new text uses it more often than the old one. Counting,
    rather than scanning the added lines, also catches "entry into force" when only
    "entry" was typed into an existing line, and ignores a term that merely moved.
    """
    found: dict[str, list[str]] = {}  # reason -> terms, so "revoked" and "revoked by" share one
    for term, pattern in _TERM_PATTERNS.items():
        if len(pattern.findall(new)) > len(pattern.findall(old)):
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
    new_dates = sorted(set(_DATE.findall(new)) - set(_DATE.findall(old)))
    if new_dates:
        reasons.append("new dates: " + ", ".join(new_dates[:5]))
        level = "medium" if level == "low" else level
    return level, reasons
