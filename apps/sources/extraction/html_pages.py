"""HTML: the visible text of a page, or of what a CSS selector or an XPath matches,
with scripts, styles, comments and ignored elements removed first."""

from __future__ import annotations

import codecs
import re
from typing import Any

import lxml.etree
import lxml.html
from selectolax.lexbor import LexborHTMLParser, LexborNode

from apps.sources.extraction.common import Extracted, ExtractionError

_DROPPED_TAGS = ("script", "style", "noscript", "template", "iframe", "svg", "object")
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "caption", "dd", "details",
        "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
        "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li",
        "main", "menu", "nav", "ol", "option", "p", "pre", "section", "summary", "table",
        "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
# Not rendered, so never part of what a reader sees: a page that varies only there
# (a per-request token in a hidden element, a counter in a decorative icon) must hash
# the same on every check. `template` is already among the dropped tags.
_UNRENDERED = "[hidden], [style*='display:none' i], [style*='display: none' i]"
_HIDDEN_FROM_READERS = "[aria-hidden='true' i]"
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))  # fmt: skip


def _decode_html(body: bytes) -> str:
    """Decode by BOM, then a declared charset, then UTF-8, then Windows-1252."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, errors="replace")
    head = body[:4096]
    declared = re.search(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([\w.:-]+)", head, re.I) or re.search(
        rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([\w.:-]+)", head, re.I
    )
    if declared:
        try:
            return body.decode(declared.group(1).decode("ascii"), errors="replace")
        except (LookupError, UnicodeError):
            # An unknown charset name, or a codec that is no charset ("idna" refuses
            # errors="replace"): fall through to the guesses.
            pass
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("windows-1252", errors="replace")


_BREAK = object()


def _node_text(node: LexborNode) -> str:
    """Visible text with block elements on their own lines (iterative: pages nest deep)."""
    out: list[str] = []
    stack: list[Any] = [node]
    while stack:
        item = stack.pop()
        if item is _BREAK:
            out.append("\n")
        elif item.is_text_node:
            out.append(re.sub(r"\s+", " ", item.text_content or ""))
        elif item.is_element_node:
            tag = item.tag
            if tag == "br":
                out.append("\n")
            elif tag in ("pre", "textarea"):
                out.append("\n" + item.text(deep=True) + "\n")  # keeps its line breaks
            elif tag not in _DROPPED_TAGS:
                if tag in _BLOCK_TAGS:
                    out.append("\n")
                    stack.append(_BREAK)
                stack.extend(reversed(list(item.iter(include_text=True))))
    return "".join(out)


def _drop_unrendered(tree: LexborHTMLParser) -> None:
    """Remove what a browser does not render. `aria-hidden` hides from screen readers
    only, so it is dropped where it is decorative (an icon, a badge: inline content);
    an aria-hidden block (a visual copy of a menu or a table) is still on the screen."""
    for node in tree.css(_UNRENDERED):
        node.decompose()
    for node in tree.css(_HIDDEN_FROM_READERS):
        if node.tag not in _BLOCK_TAGS and not any(
            child.tag in _BLOCK_TAGS for child in node.traverse() if child.is_element_node
        ):
            node.decompose()


def _css(tree: LexborHTMLParser, selector: str) -> list[LexborNode]:
    try:
        return list(tree.css(selector))
    except Exception as exc:  # selectolax raises several types for bad selectors
        raise ExtractionError(f"invalid CSS selector {selector!r}: {exc}") from None


def extract_html(body: bytes, selector: str, css_ignores: list[str]) -> Extracted:
    tree = LexborHTMLParser(_decode_html(body).replace("\x00", ""))
    for tag in _DROPPED_TAGS:
        for node in tree.css(tag):
            node.decompose()
    # Comments carry generator stamps ("generated_on:20231019-1121").
    for node in [n for n in tree.root.traverse(include_text=True) if n.is_comment_node]:
        node.decompose()
    _drop_unrendered(tree)
    for ignored in css_ignores:
        for node in _css(tree, ignored):
            node.decompose()
    if not selector:
        root = tree.body or tree.root
        return Extracted(_node_text(root) if root else "", True)
    if selector.startswith(("/", "(")):
        return _html_xpath(tree.html or "", selector)
    matches = _css(tree, selector)
    if not matches:
        return Extracted("", False)
    return Extracted("\n".join(_node_text(m) for m in matches), True)


def _html_xpath(cleaned_html: str, selector: str) -> Extracted:
    """XPath needs lxml; its matches go back through the same text walker."""
    try:
        results = lxml.html.document_fromstring(cleaned_html).xpath(selector)
    except (lxml.etree.XPathError, lxml.etree.ParserError) as exc:
        raise ExtractionError(f"invalid XPath {selector!r}: {exc}") from None
    if not isinstance(results, list):
        results = [results]
    if not results:
        return Extracted("", False)
    parts = []
    for result in results:
        if isinstance(result, lxml.etree._Element):
            fragment = LexborHTMLParser(lxml.html.tostring(result, encoding="unicode"))
            parts.append(_node_text(fragment.body or fragment.root))
        else:
            parts.append(str(result))
    return Extracted("\n".join(parts), True)
