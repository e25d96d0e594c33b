"""What every format's extractor shares: the result types, the error, normalisation
of text, and the "re:" ignore rules, which apply to the lines of any kind."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import re2

_SPACES = re.compile(r"[^\S\n]+")
_LINE_BREAKS = re.compile(r"\r\n|[\r\v\f\x85\u2028\u2029]")

# Ignore rules are written by editors and run on every line of every check, so they
# run under RE2, whose matching time is linear in the line: "(a+)+$" cannot backtrack.
# A rule whose automaton would pass RE2's memory bound (8 MiB) does not compile.
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # a refused rule is reported to the editor, not to stderr


class ExtractionError(Exception):
    """The body cannot be read as the declared kind; the message is safe to show."""


@dataclass(frozen=True)
class FeedItem:
    id: str
    title: str
    link: str
    published: str


@dataclass(frozen=True)
class Extracted:
    text: str
    matched: bool
    items: tuple[FeedItem, ...] = ()


def normalise(text: str) -> str:
    """NFC, no NUL (PostgreSQL rejects it), one space between words, no blank lines."""
    text = unicodedata.normalize("NFC", text.replace("\x00", ""))
    lines = (_SPACES.sub(" ", line).strip() for line in _LINE_BREAKS.sub("\n", text).split("\n"))
    return "\n".join(line for line in lines if line)


def compile_line_rule(pattern: str) -> Any:
    """The pattern of a "re:" ignore rule, compiled by RE2; ExtractionError says why not."""
    try:
        return re2.compile(pattern, options=_RE2_OPTIONS)
    except re2.error as exc:
        detail = exc.args[0] if exc.args else ""
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", errors="replace")
        hint = ""
        try:
            re.compile(pattern)
        except re.error:
            pass
        else:
            # Valid for Python, refused by RE2: say what RE2 does not do.
            hint = (
                " (ignore rules use RE2: no backreferences or lookaround, repetitions up to"
                " 1000, automata up to 8 MiB)"
            )
        raise ExtractionError(f"invalid ignore pattern 're:{pattern}': {detail}{hint}") from None


def split_ignore(ignore: Sequence[str]) -> tuple[list[str], list[Any]]:
    """Ignore entries are structural (a selector, key or XPath) or "re:" line patterns."""
    structural: list[str] = []
    patterns: list[Any] = []
    for entry in ignore:
        entry = entry.strip()
        if entry.startswith("re:"):
            patterns.append(compile_line_rule(entry[3:]))
        elif entry:
            structural.append(entry)
    return structural, patterns
