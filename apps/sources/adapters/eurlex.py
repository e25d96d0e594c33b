"""EUR-Lex text pages (consolidated versions and Official Journal ELI pages) as proposals.

What the pages show (see the fixtures): a consolidated page starts with a reference
line "02002L0058 — EN — 19.12.2009 — 002.001" (CELEX of the consolidation, language,
version date), then the act's title, then "Amended by:" / "Corrected by:" headings
(p.hd-modifiers) each followed by a table whose rows link the modifying act by CELEX
(►M1, ►C1 ...) with its OJ number, page and date. The act's own text sits in
div.eli-container. Status banners ("No longer in force", "withdrawn") are looked for
outside that text only: the text itself routinely says that *other* acts are repealed.
The monitoring script and generator comments are never read.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.text import slugify
from selectolax.lexbor import LexborHTMLParser, LexborNode

from apps.sources.adapters import Proposal, ref

_CELEX = re.compile(r"\b([0-9CE]\d{4}[A-Z]{1,2}\d{4}(?:\(\d{1,2}\))?)")
_DMY = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")
_ELI = re.compile(r"/eli/(reg|dir|dec)(?:_impl|_del)?/(\d{4})/(\d+)(?:/(\d{4}-\d{2}-\d{2}))?")
_ELI_TYPES = {"reg": "R", "dir": "L", "dec": "D"}
# marker -> pattern; "repealed" also covers the "Repealed by:" modifier heading
STATUS_MARKERS = {
    "withdrawn": re.compile(r"\bwithdrawn\b|\bwithdrawal of (?:the|this) proposal\b", re.I),
    "repealed": re.compile(r"\brepealed\b", re.I),
    "no longer in force": re.compile(r"\bno longer in force\b", re.I),
}


@dataclass(frozen=True)
class AmendingAct:
    reference: str  # CELEX when the row links one, else the OJ reference
    title: str
    oj_reference: str  # "OJ L 105, 13.4.2006, p. 54"
    published_on: str | None  # ISO date of that OJ issue
    marker: str  # "M1", "C1" ... as the page's arrows show it


@dataclass(frozen=True)
class ConsolidatedInfo:
    celex: str | None  # the act's own CELEX ("32002L0058")
    eli: str | None  # the act's ELI, "http://data.europa.eu/eli/dir/2002/58/oj"
    canonical_url: str | None  # the page's canonical URL (of this version)
    title: str
    consolidated_version: str | None  # ISO date of the consolidated version
    amended_by: tuple[AmendingAct, ...]
    corrected_by: tuple[AmendingAct, ...]
    status_markers: tuple[str, ...]


def _short(title: str, limit: int = 90) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def _text(node: LexborNode | None) -> str:
    return " ".join(node.text(deep=True).split()) if node is not None else ""


def _iso(day_month_year: str) -> str | None:
    match = _DMY.search(day_month_year)
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _modifier_rows(table: LexborNode) -> list[AmendingAct]:
    acts = []
    for row in table.css("tr"):
        arrow = row.css_first("p.arrow a")
        if arrow is None:
            continue  # the heading rows ("Official Journal", "No", "page", "date")
        celex = _CELEX.search(arrow.attributes.get("title") or "") or _CELEX.search(
            arrow.attributes.get("href") or ""
        )
        cells = [_text(p) for p in row.css("td > p")]
        title = _text(row.css_first("p[class^='title-fam-member']")) or (
            cells[1] if len(cells) > 1 else ""
        )
        # Columns: arrow, title, OJ number, page, date.
        journal, page, date = cells[2:5] if len(cells) >= 5 else ("", "", "")
        oj_reference = f"OJ {journal}, {date}, p. {page}" if journal else ""
        acts.append(
            AmendingAct(
                reference=celex.group(1) if celex else oj_reference,
                title=title,
                oj_reference=oj_reference,
                published_on=_iso(date),
                marker=_text(arrow).lstrip("►▼ "),
            )
        )
    return acts


def _next_table(node: LexborNode) -> LexborNode | None:
    sibling = node.next
    while sibling is not None and not (sibling.is_element_node and sibling.tag == "table"):
        if (
            sibling.is_element_node
            and sibling.tag == "p"
            and "hd-modifiers" in (sibling.attributes.get("class") or "")
        ):
            return None  # a heading without rows
        sibling = sibling.next
    return sibling


def parse_consolidated(html: bytes) -> ConsolidatedInfo:
    tree = LexborHTMLParser(html.decode("utf-8", errors="replace"))
    canonical = tree.css_first("link[rel='canonical']")
    canonical_url = canonical.attributes.get("href") if canonical is not None else None
    eli_match = _ELI.search(canonical_url or "")
    # The canonical URL names a version or a language; the act's ELI names neither.
    eli = (
        "http://data.europa.eu/eli/{}/{}/{}/oj".format(*eli_match.group(1, 2, 3))
        if eli_match
        else None
    )
    reference = _text(tree.css_first("p.reference"))
    own = tree.css_first("p.title-doc-last a, p.arrow a")
    celex_match = _CELEX.search(own.attributes.get("title") or "") if own is not None else None
    celex = celex_match.group(1) if celex_match else None
    if celex is None and eli_match:
        kind, year, number = eli_match.group(1, 2, 3)
        celex = f"3{year}{_ELI_TYPES[kind]}{int(number):04d}"
    version = _iso(reference) if reference else None
    if version is None and eli_match and eli_match.group(4):
        version = eli_match.group(4)
    title_nodes = tree.css("div.eli-main-title p") or tree.css(
        "p.title-doc-first, p.title-doc-last"
    )
    title = " ".join(_text(p) for p in title_nodes if _text(p))

    sections: dict[str, list[AmendingAct]] = {"amended": [], "corrected": []}
    markers: set[str] = set()
    for heading in tree.css("p.hd-modifiers"):
        label = _text(heading).lower()
        table = _next_table(heading)
        rows = _modifier_rows(table) if table is not None else []
        if label.startswith("amended"):
            sections["amended"] += rows
        elif label.startswith("corrected"):
            sections["corrected"] += rows
        elif label.startswith("repealed"):
            markers.add("repealed")
        if table is not None:
            table.decompose()  # its titles are other acts' titles, not this act's status

    # What is left outside the act's own text is the page's frame: banners, reference,
    # title. Scripts, styles and comments never count.
    for node in tree.css("div.eli-container, script, style, noscript, template"):
        node.decompose()
    frame = _text(tree.body)
    markers.update(name for name, pattern in STATUS_MARKERS.items() if pattern.search(frame))
    return ConsolidatedInfo(
        celex=celex,
        eli=eli,
        canonical_url=canonical_url,
        title=title,
        consolidated_version=version,
        amended_by=tuple(sections["amended"]),
        corrected_by=tuple(sections["corrected"]),
        status_markers=tuple(sorted(markers)),
    )


def proposals(info: ConsolidatedInfo) -> list[Proposal]:
    """A status proposal for a withdrawal or repeal marker, identifiers for the act, and
    an identifier plus an amendment row per amending (or correcting) act."""
    found: list[Proposal] = []
    name = info.celex or info.eli or "this act"
    markers = set(info.status_markers)
    status = next((s for s in ("withdrawn", "repealed") if s in markers), None)
    if status is None and "no longer in force" in markers:
        status = "expired"  # EUR-Lex says no more; the editor tells repeal from expiry
    if status is not None:
        found.append(
            Proposal(
                target="status",
                summary=f"{name}: EUR-Lex marks it {', '.join(sorted(markers))}",
                values={"status": status, "celex": info.celex, "markers": sorted(markers)},
            )
        )
    for scheme, value in (("celex", info.celex), ("eli", info.eli)):
        if value:
            found.append(
                Proposal(
                    target="identifier",
                    summary=f"{scheme.upper()} {value} for {_short(info.title or name)}",
                    values={"scheme": scheme, "value": value, "celex": info.celex},
                )
            )
    modifiers = [("amends", act) for act in info.amended_by]
    modifiers += [("corrects", act) for act in info.corrected_by]
    for kind, act in modifiers:
        is_celex = bool(_CELEX.fullmatch(act.reference))
        found.append(
            Proposal(
                target="identifier",
                summary=f"{'CELEX' if is_celex else 'OJ'} {act.reference} for {_short(act.title)}",
                values={"scheme": "celex" if is_celex else "oj", "value": act.reference,
                        "title": act.title},
            )
        )  # fmt: skip
        found.append(_amendment(kind, act, info, name, is_celex))
    return found


def _amendment(
    kind: str, act: AmendingAct, info: ConsolidatedInfo, name: str, is_celex: bool
) -> Proposal:
    summary = f"{act.reference} {kind} {name} ({act.oj_reference})"
    key = slugify(f"celex-{act.reference}-{kind}-celex-{info.celex or name}")[:120]
    return Proposal(
        target="amendment",
        summary=summary,
        key={"key": key},
        match=("kind", "source_instrument", "target_instrument", "target_provision"),
        values={
            "key": key,
            "kind": kind,
            # An act the table names by its OJ reference only cannot be looked up.
            "source_instrument": ref(identifier=("celex", act.reference)) if is_celex else None,
            "target_instrument": ref(identifier=("celex", info.celex)) if info.celex else None,
            "target_provision": "",
            # The page dates the Official Journal issue, not the effect: the amending
            # act says when it applies, so the editor gives the date.
            "effective_on": None,
            "effective_on_precision": "day",
            "provenance": "editorial",
            "summary": summary,
        },
    )


def read(body: bytes, previous: bytes | None = None) -> list[Proposal]:
    """The page's proposals, leaving out the identifiers and amending acts the previous
    page already showed; a status marker is always proposed, since the watcher checks
    it against the instrument's events."""
    found = proposals(parse_consolidated(body))
    if previous is None:
        return found
    before = proposals(parse_consolidated(previous))
    return [p for p in found if p.target == "status" or p not in before]
