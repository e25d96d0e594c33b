"""XML: the text of the document or of what an XPath selects, never reading a DTD,
an entity or the network; unprefixed names in an XPath match any namespace."""

from __future__ import annotations

import re
from typing import Any

import lxml.etree

from apps.sources.extraction.common import Extracted, ExtractionError


def _xml_text(element: lxml.etree._Element, out: list[str]) -> None:
    """Mixed content (text between child elements) is one line; an element holding
    only elements puts each child on its own line, so <P>s do not run together."""
    if isinstance(element, lxml.etree._Entity):
        # Entities are never expanded (see extract_xml): a reference standing where an
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


def extract_xml(body: bytes, selector: str, ignored: list[str]) -> Extracted:
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
