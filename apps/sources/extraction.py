"""Turn a fetched body into normalised text, the thing a source's hash is taken of.

The text must change when the source's content changes and only then: scripts,
comments, volatile JSON fields and whitespace reflow are removed so that a page that
merely re-rendered hashes the same. A selector that matches nothing reports
``matched=False``: the page layout broke, which is not a change of the law.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import re
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import feedparser
import lxml.etree
import lxml.html
import pypdf
import re2
from selectolax.lexbor import LexborHTMLParser, LexborNode

KINDS = frozenset({"html", "feed", "json", "pdf", "xml"})

# Fields that change on every fetch of an otherwise unchanged document (see
# tests/fixtures/README.md): view counters and "last checked" stamps.
VOLATILE_JSON_KEYS: frozenset[str] = frozenset(
    {"page_views", "checked_regulationsdotgov_at", "last_updated_at_regulationsdotgov"}
)

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
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))  # fmt: skip
_SPACES = re.compile(r"[^\S\n]+")
_LINE_BREAKS = re.compile(r"\r\n|[\r\v\f\x85\u2028\u2029]")
# A URL whose whole query is a number is a cache-buster (images?1485454275).
_CACHE_BUSTER = re.compile(r"^(https?://[^?#\s]+)\?\d+$")
_JSON_PATH_STEP = re.compile(r"\.([A-Za-z_][\w-]*)|\[(-?\d+|\*)\]|\[(['\"])(.*?)\3\]")

# Ignore rules are written by editors and run on every line of every check, so they
# run under RE2, whose matching time is linear in the line: "(a+)+$" cannot backtrack.
# A rule whose automaton would pass RE2's memory bound (8 MiB) does not compile.
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # a refused rule is reported to the editor, not to stderr

# PDFs: pypdf reads page content at about 1 MB a second here, and a small file can
# hold one compressed stream that every page reuses. Past these caps the PDF is
# refused with its reason (a recorded failure) instead of holding a worker.
PDF_MAX_PAGES = 1000
PDF_MAX_CONTENT_BYTES = 16_000_000  # decoded page content, each use of a stream counted
PDF_MAX_SECONDS = 60.0  # checked between pages; the task's time limit backs it up


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


def _split_ignore(ignore: Sequence[str]) -> tuple[list[str], list[Any]]:
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


def extract(kind: str, body: bytes, *, selector: str = "", ignore: Sequence[str] = ()) -> Extracted:
    """Text of ``body`` read as ``kind`` (html, feed, json, pdf, xml).

    ``selector``: CSS or XPath (starting with "/" or "(") for html, a JSON path for
    json, XPath for xml. ``ignore``: "re:<pattern>" drops matching lines; any other
    entry is a CSS selector (html), a key or dotted path (json) or an XPath (xml)
    whose matches are removed before the text is taken.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown source kind {kind!r}")
    structural, patterns = _split_ignore(ignore)
    if kind == "feed":
        return _extract_feed(body, patterns)
    result = _EXTRACTORS[kind](body, selector.strip(), structural)
    if not result.matched:
        return result
    # JSON text is already normal (its strings were normalised before dumping) and
    # keeps its indentation, which shows the nesting in a diff.
    text = result.text if kind == "json" else normalise(result.text)
    lines = [line for line in text.split("\n") if not any(p.search(line) for p in patterns)]
    return Extracted("\n".join(lines), True)


# --- HTML ---------------------------------------------------------------------------


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


def _css(tree: LexborHTMLParser, selector: str) -> list[LexborNode]:
    try:
        return list(tree.css(selector))
    except Exception as exc:  # selectolax raises several types for bad selectors
        raise ExtractionError(f"invalid CSS selector {selector!r}: {exc}") from None


def _extract_html(body: bytes, selector: str, css_ignores: list[str]) -> Extracted:
    tree = LexborHTMLParser(_decode_html(body).replace("\x00", ""))
    for tag in _DROPPED_TAGS:
        for node in tree.css(tag):
            node.decompose()
    # Comments carry generator stamps ("generated_on:20231019-1121").
    for node in [n for n in tree.root.traverse(include_text=True) if n.is_comment_node]:
        node.decompose()
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


# --- Feeds --------------------------------------------------------------------------


def _one_line(value: object) -> str:
    return normalise(str(value or "")).replace("\n", " ").replace("\t", " ")


def _extract_feed(body: bytes, patterns: list[Any]) -> Extracted:
    # A file object, never the bytes themselves: feedparser treats a str as a URL to
    # fetch and tries to open() a str or bytes as a local path before parsing it.
    parsed = feedparser.parse(io.BytesIO(body))
    if not parsed.entries and (parsed.bozo or not parsed.version):
        # An error page served with status 200 must not read as "every item removed".
        problem = type(parsed.get("bozo_exception")).__name__ if parsed.bozo else "no feed"
        raise ExtractionError(f"the feed cannot be parsed ({problem})")
    items: dict[str, FeedItem] = {}
    for entry in parsed.entries:
        title, link = _one_line(entry.get("title")), _one_line(entry.get("link"))
        ident = _one_line(entry.get("id")) or link
        if not ident and not title:
            continue  # nothing to tell it by: a fragment of a truncated feed
        if not ident:
            ident = "title:" + hashlib.sha256(title.encode()).hexdigest()[:16]
        published = _one_line(entry.get("published") or entry.get("updated"))
        items.setdefault(ident, FeedItem(ident, title, link, published))
    kept = []
    for item in sorted(items.values(), key=lambda i: i.id):
        line = f"{item.id}\t{item.title}\t{item.link}"
        if not any(p.search(line) for p in patterns):
            kept.append((item, line))
    return Extracted("\n".join(line for _, line in kept), True, tuple(i for i, _ in kept))


# --- JSON ---------------------------------------------------------------------------


IgnoredPaths = list[tuple[bool, tuple[str, ...]]]  # (anchored at the root, key path)


def _clean_json(value: Any, path: tuple[str, ...], paths: IgnoredPaths) -> Any:
    """Drop volatile, ignored and empty keys at any depth; tidy strings so that reflowed
    text and cache-busting query strings are no change."""
    if isinstance(value, dict):
        cleaned = {}
        for key, item in value.items():
            key = key.replace("\x00", "")
            here = (*path, key)
            if any(here[-len(parts) :] == parts for anchored, parts in paths if not anchored):
                continue
            if any(here == parts for anchored, parts in paths if anchored):
                continue
            kept = _clean_json(item, here, paths)
            # Absent, null and empty mean the same: a key that a newer schema adds with
            # no value yet (or an older one lacks) is no change of the document.
            if kept not in (None, "", [], {}):
                cleaned[key] = kept
        return cleaned
    if isinstance(value, list):
        return [_clean_json(item, path, paths) for item in value]
    if isinstance(value, str):
        text = normalise(value).replace("\n", " ")
        return _CACHE_BUSTER.sub(r"\1", text)
    return value


def _ignored_paths(entries: Sequence[str]) -> IgnoredPaths:
    """A name matches a key anywhere, "a.b" the end of a key path, "$.a.b" the whole
    path. List indices are no part of a path: "results[*].excerpts" is results.excerpts."""
    paths: IgnoredPaths = []
    for entry in entries:
        parts = tuple(p for p in re.sub(r"\[[^\]]*\]", "", entry.lstrip("$")).split(".") if p)
        if parts:
            paths.append((entry.startswith("$"), parts))
    return paths


def _select_json(data: Any, selector: str) -> tuple[bool, Any]:
    """A small JSON path: $, .key, ['key'], [0], [-1], [*]. Returns (found, value)."""
    if not selector.startswith("$"):
        raise ExtractionError(f"a JSON path starts with $: {selector!r}")
    steps = list(_JSON_PATH_STEP.finditer(selector, 1))
    if "".join(step.group(0) for step in steps) != selector[1:]:
        raise ExtractionError(f"unsupported JSON path {selector!r}")
    values, spread = [data], False
    for step in steps:
        key = step.group(1) or step.group(4)
        following: list[Any] = []
        for value in values:
            if step.group(2) == "*":
                if isinstance(value, list):
                    following.extend(value)
                elif isinstance(value, dict):
                    following.extend(value[k] for k in sorted(value))
            elif key is not None:
                if isinstance(value, dict) and key in value:
                    following.append(value[key])
            elif isinstance(value, list) and -len(value) <= int(step.group(2)) < len(value):
                following.append(value[int(step.group(2))])
        if step.group(2) == "*":
            spread = True
        elif not spread and not following:
            return False, None
        values = following
    return True, values if spread else values[0]


def _extract_json(body: bytes, selector: str, ignored: list[str]) -> Extracted:
    try:
        data = json.loads(body)
        data = _clean_json(data, (), _ignored_paths([*sorted(VOLATILE_JSON_KEYS), *ignored]))
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ExtractionError("the response is not valid JSON") from None
    if selector:
        found, data = _select_json(data, selector)
        if not found:
            return Extracted("", False)
    text = json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False)
    # "\ud800" is valid JSON but no text: an unpaired surrogate cannot be encoded (to
    # hash or to store), so it becomes "?".
    return Extracted(text.encode("utf-8", errors="replace").decode("utf-8"), True)


# --- PDF and XML --------------------------------------------------------------------


def _extract_pdf(body: bytes, selector: str = "", ignored: list[str] | None = None) -> Extracted:
    """All pages' text; PDFs take no selector. Too many pages or too much content is
    refused before any text is read; a slow read stops between pages."""
    try:
        reader = pypdf.PdfReader(io.BytesIO(body))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError("the PDF is encrypted")
        pages = list(reader.pages)
        if len(pages) > PDF_MAX_PAGES:
            raise ExtractionError(
                f"the PDF is too large to read: {len(pages):,} pages, more than {PDF_MAX_PAGES:,}"
            )
        # Decoding is cheap next to reading the text, and pypdf decodes a shared stream
        # once: the whole cost is known before the first page is read.
        content_bytes = 0
        for page in pages:
            contents = page.get_contents()
            content_bytes += len(contents.get_data()) if contents is not None else 0
            if content_bytes > PDF_MAX_CONTENT_BYTES:
                raise ExtractionError(
                    f"the PDF is too large to read: more than {PDF_MAX_CONTENT_BYTES:,} bytes "
                    f"of page content in {len(pages):,} pages"
                )
        deadline = time.monotonic() + PDF_MAX_SECONDS
        texts = []
        for number, page in enumerate(pages, 1):
            if time.monotonic() > deadline:
                raise ExtractionError(
                    f"the PDF is too large to read: more than {PDF_MAX_SECONDS:.0f} s "
                    f"for {number - 1} of {len(pages)} pages"
                )
            texts.append(page.extract_text() or "")
        return Extracted("\n".join(texts), True)
    except ExtractionError:
        raise
    except Exception as exc:  # pypdf raises many types for damaged files
        raise ExtractionError(f"the PDF cannot be read ({type(exc).__name__})") from None


def _xml_text(element: lxml.etree._Element, out: list[str]) -> None:
    """Mixed content (text between child elements) is one line; an element holding
    only elements puts each child on its own line, so <P>s do not run together."""
    if isinstance(element, lxml.etree._Entity):
        # Entities are never expanded (see _extract_xml): a reference standing where an
        # element would be leaves text we cannot read, which must not pass for the text.
        raise ExtractionError(
            f"the XML cannot be read: the entity reference {element.text} is not expanded"
        )
    mixed = bool((element.text or "").strip()) or any((c.tail or "").strip() for c in element)
    if mixed or len(element) == 0:
        out.append("".join(element.itertext()))
    else:
        for child in element:
            _xml_text(child, out)


def _extract_xml(body: bytes, selector: str, ignored: list[str]) -> Extracted:
    # No DTDs, no entity expansion, no network: an XML body must not read local files
    # (XXE) or blow up memory (billion laughs).
    parser = lxml.etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
        remove_comments=True, remove_pis=True,
    )  # fmt: skip
    try:
        root = lxml.etree.fromstring(body, parser)
    except lxml.etree.XMLSyntaxError as exc:
        raise ExtractionError(f"the XML cannot be parsed: {exc}") from None
    namespaces, namespaced = _namespaces(root)

    def xpath(expression: str) -> Any:
        if namespaced:
            expression = local_names(expression)
        return root.xpath(expression, namespaces=namespaces)

    try:
        # Ignore rules are XPath expressions here: drop what they match first.
        for expression in ignored:
            for found in xpath(expression):
                if isinstance(found, lxml.etree._Element) and found.getparent() is not None:
                    _drop_element(found)
        results = xpath(selector) if selector else [root]
    except lxml.etree.XPathError as exc:
        raise ExtractionError(f"invalid XPath: {exc}") from None
    if not isinstance(results, list):
        results = [results]
    if not results:
        return Extracted("", False)
    out: list[str] = []
    try:
        for result in results:
            if isinstance(result, lxml.etree._Element):
                _xml_text(result, out)
            else:
                out.append(str(result))
    except ValueError as exc:  # lxml refuses to walk a node kind it does not expect
        raise ExtractionError(f"the XML cannot be read: {exc}") from None
    return Extracted("\n".join(out), True)


def _namespaces(root: lxml.etree._Element) -> tuple[dict[str, str], bool]:
    """Every prefix the document declares, on the root or below it (legislation.gov.uk
    and Akoma Ntoso documents declare some on inner elements; the first declaration of
    a prefix wins), and whether any element is in a namespace at all."""
    prefixes: dict[str, str] = {}
    namespaced = False
    for element in root.iter(lxml.etree.Element):
        namespaced = namespaced or element.tag.startswith("{")
        for prefix, uri in element.nsmap.items():
            if prefix is not None:
                prefixes.setdefault(prefix, uri)
    return prefixes, namespaced


_XPATH_TOKEN = re.compile(
    r"""(?P<literal>"[^"]*"|'[^']*')
    |(?P<number>\d+(?:\.\d*)?|\.\d+)
    |(?P<op>//|::|\.\.|!=|<=|>=|[/()\[\]@,|=<>+*$.-])
    |(?P<name>[A-Za-z_][\w.-]*(?::(?:[A-Za-z_][\w.-]*|\*))?)
    |(?P<space>\s+)""",
    re.VERBOSE,
)
_OPERATOR_NAMES = frozenset({"and", "or", "div", "mod"})
_OPERATORS = frozenset({"/", "//", "|", "+", "-", "=", "!=", "<", "<=", ">", ">=", ","})
# After these a name is a name test and "*" a wildcard; after anything else (an
# operand) they are operators (XPath 1.0, section 3.7).
_BEFORE_NAME_TEST = _OPERATORS | {"@", "::", "(", "["}


def local_names(expression: str) -> str:
    """XPath with each unprefixed element name test rewritten to match the local name in
    any namespace: "//ComingIntoForce/DateText" selects CLML's elements, which sit in a
    default namespace XPath 1.0 cannot name. Prefixed names, attributes, functions,
    axes, variables, operators and literals are left as they are."""
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(expression):
        match = _XPATH_TOKEN.match(expression, position)
        if match is None:
            return expression  # not something we can read: lxml reports it
        tokens.append((match.lastgroup or "", match.group()))
        position = match.end()
    words = [i for i, (kind, _) in enumerate(tokens) if kind != "space"]
    out = [text for _, text in tokens]
    before = ""  # the previous token as an operator or a name test sees it
    axis = ""  # the name before the last "::"
    for place, index in enumerate(words):
        kind, text = tokens[index]
        following = tokens[words[place + 1]][1] if place + 1 < len(words) else ""
        after_operand = place > 0 and before not in _BEFORE_NAME_TEST
        if after_operand and (text == "*" or (kind == "name" and text in _OPERATOR_NAMES)):
            before = "+"  # multiplication or "and", "or", "div", "mod": an operand follows
        else:
            if kind == "name" and _is_element_test(text, before, following, axis):
                out[index] = f"*[local-name()='{text}']"
            if following == "::":
                axis = text
            before = text
    return "".join(out)


def _is_element_test(name: str, before: str, following: str, axis: str) -> bool:
    if ":" in name or following in ("(", "::") or before in ("@", "$"):
        return False  # prefixed, a function or node type, an axis, an attribute, a variable
    return before != "::" or axis not in ("attribute", "namespace")


def _drop_element(element: lxml.etree._Element) -> None:
    """Remove an element but keep the text that follows it (its tail)."""
    parent = element.getparent()
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


_EXTRACTORS = {
    "html": _extract_html,
    "json": _extract_json,
    "pdf": _extract_pdf,
    "xml": _extract_xml,
}
