"""Search snippets a reader can take in at a glance: whole sentences where they fit,
else whole words, with the matched words between START and STOP.

PostgreSQL marks the matches (ts_headline knows the stemming: "liabilities" marks
"liability") over the whole text; this module chooses what to show of it. The
record's own text never carries the markers: the SQL turns its guillemets into
quotation marks before marking (search._marked_text), so every START and STOP in
a snippet is ours and a page may turn exactly those into <mark>.
"""

from __future__ import annotations

import re

START, STOP = "«", "»"
# Long enough for a sentence of a summary; short enough for a list of results.
LIMIT = 240
ELLIPSIS = "…"
# A sentence ends at . ! ? (then a space and a capital, a digit, a quotation mark
# or a marked word, so "e.g. the" and "2024/1689. the" stay whole) or at a CJK stop.
_SENTENCE_END = re.compile(
    r"(?<=[.!?])\s+(?=[\"'\u201c\u2018(\[" + START + r"A-Z0-9\u00c0-\u00dd])"
    r"|(?<=[\u3002\uff01\uff1f])"
)
_WORDS_BEFORE_A_MATCH = 8


def excerpt(marked: str | None, limit: int = LIMIT) -> str:
    """What to show of `marked` (a text with its matches between START and STOP):
    the sentence holding the most matches (the first of equals) and as many following
    sentences as fit in `limit` characters; a sentence too long for it is cut between
    words where its matches are densest. An ellipsis stands wherever text was left out.

    Most matches, not the first: a phrase ("general-purpose AI") marks each of its
    words, and a sentence holding one of them alone ("AI") says less of why it matched."""
    text = " ".join((marked or "").split())
    if len(text) <= limit:
        return text
    sentences = [s for s in _SENTENCE_END.split(text) if s]
    first = max(range(len(sentences)), key=lambda i: (sentences[i].count(START), -i))
    if len(sentences[first]) > limit:
        return _window(sentences[first], limit, cut_before=first > 0)
    shown = [sentences[first]]
    following = first + 1
    while following < len(sentences):
        if len(" ".join([*shown, sentences[following]])) + 2 > limit:
            break
        shown.append(sentences[following])
        following += 1
    joined = " ".join(shown)
    if first > 0:
        joined = f"{ELLIPSIS} {joined}"
    if following < len(sentences):
        joined = f"{joined} {ELLIPSIS}"
    return joined


def _window(sentence: str, limit: int, cut_before: bool) -> str:
    """Whole words of `sentence` around its first match, within `limit` characters."""
    words = sentence.split(" ")
    if len(words) == 1:  # no spaces to cut at (Chinese, Japanese): characters are the words
        return _characters(sentence, limit, cut_before)
    marked = [i for i, w in enumerate(words) if START in w] or [0]
    # The window holding the most marked words, each candidate starting a few words
    # before one of them (the earliest of equals).
    windows = [_fit(words, max(0, at - _WORDS_BEFORE_A_MATCH), limit) for at in marked]
    begin, end = max(windows, key=lambda w: (sum(w[0] <= i < w[1] for i in marked), -w[0]))
    shown = _balanced(" ".join(words[begin:end]))
    before = ELLIPSIS + " " if begin > 0 or cut_before else ""
    after = " " + ELLIPSIS if end < len(words) else ""
    return f"{before}{shown}{after}"


def _fit(words: list[str], begin: int, limit: int) -> tuple[int, int]:
    """(begin, end) of the words from `begin` that fit in `limit`, ellipses included."""
    end, length = begin, 0
    while end < len(words) and length + len(words[end]) + 1 <= limit - 4:
        length += len(words[end]) + 1
        end += 1
    return begin, max(end, begin + 1)


def _characters(text: str, limit: int, cut_before: bool) -> str:
    at = max(text.find(START), 0)
    begin = max(0, at - limit // 4)
    shown = _balanced(text[begin : begin + limit - 2])
    before = ELLIPSIS if begin > 0 or cut_before else ""
    after = ELLIPSIS if begin + limit - 2 < len(text) else ""
    return f"{before}{shown}{after}"


def _balanced(text: str) -> str:
    """`text` with a marker cut off at either end repaired: every START has its STOP."""
    opened = False
    out = []
    for char in text:
        if char == START:
            if opened:
                continue
            opened = True
        elif char == STOP:
            if not opened:
                continue
            opened = False
        out.append(char)
    if opened:
        out.append(STOP)
    return "".join(out)


def mark_substring(text: str, needle: str) -> str:
    """`text` with every case-insensitive occurrence of `needle` marked: the match of
    a script full text cannot split into words (search._UNSEGMENTED)."""
    text = text.replace(START, "“").replace(STOP, "”")
    if not needle:
        return text
    pattern = re.compile(re.escape(needle), re.IGNORECASE)
    return pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", text)
