"""Changed words as HTML: the one highlighter of every diff the editors read.

The watcher's Change page and the case page (proposals, published changes,
the three-way view of a stale proposal) all mark text through here, so a
deletion is always <del>, an insertion always <ins>, and every piece of text
(fetched pages included) passes through format_html's escaping: nothing a
source or an editor wrote is ever rendered as markup.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from apps.sources.diffing import word_diff

_TAG = {"delete": "<del>{}</del>", "insert": "<ins>{}</ins>"}


def runs(words: Iterable[tuple[str, str] | list[str]], *, keep=("delete", "insert")) -> SafeString:
    """Word runs (op, text) as escaped HTML; runs whose op is not in `keep` are left out.

    The runs carry their own whitespace (see diffing._TOKEN): joined with
    nothing they give the text back exactly.
    """
    return format_html_join(
        "",
        "{}",
        (
            (format_html(_TAG[op], text) if op in _TAG else format_html("{}", text),)
            for op, text in words
            if op == "equal" or op in keep
        ),
    )


def coalesced(words: Iterable[tuple[str, str] | list[str]]) -> list[tuple[str, str]]:
    """Runs with each change block as one deletion then one insertion.

    A space between two changed words belongs to the change ("<del>federal
    agencies</del>", not "<del>federal</del> <del>agencies</del>").
    """
    words = [tuple(w) for w in words]
    out: list[tuple[str, str]] = []
    block: dict[str, list[str]] = {"delete": [], "insert": []}

    def close() -> None:
        for op in ("delete", "insert"):
            if block[op]:
                out.append((op, "".join(block[op])))
                block[op] = []

    for index, (op, text) in enumerate(words):
        inside = (
            op == "equal"
            and not text.strip()
            and 0 < index < len(words) - 1
            and words[index - 1][0] != "equal"
            and words[index + 1][0] != "equal"
        )
        if op == "equal" and not inside:
            close()
            out.append((op, text))
        elif inside:
            block["delete"].append(text)
            block["insert"].append(text)
        else:
            block[op].append(text)
    close()
    return out


def pair(old: str, new: str) -> tuple[SafeString, SafeString]:
    """The old text with its deleted words marked, and the new one with its inserted words."""
    words = coalesced(word_diff(old, new))
    return runs(words, keep=("delete",)), runs(words, keep=("insert",))


def lines(diff: list[dict]) -> SafeString:
    """A stored line diff (sources.Change.diff) as a table: +, -, … and ~ with its words."""
    rows = []
    for line in diff:
        op = line["op"]
        if op == "replace" and line.get("words"):
            rows.append(format_html("<tr><td>~</td><td>{}</td></tr>", runs(line["words"])))
            continue
        sign = {"insert": "+", "delete": "-", "skip": "…"}.get(op, " ")
        text = line["new"] if op == "insert" else line["old"]
        if op in _TAG:
            text = format_html(_TAG[op], text)
        rows.append(format_html("<tr><td>{}</td><td>{}</td></tr>", sign, text))
    return format_html(
        '<table class="diff source-diff">{}</table>',
        format_html_join("", "{}", ((r,) for r in rows)),
    )
