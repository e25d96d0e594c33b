"""The short names readers type for an instrument ("AILD", "GDPR", "AI Act"), derived
from its titles. Instrument.save keeps them in Instrument.short_names, where the
search finds them through an index (apps/reading/search.py).
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'-]*")
_MINOR = frozenset({"a", "an", "and", "for", "in", "of", "on", "the", "to", "with", "by", "at"})
_GENERIC_LAST = frozenset({"act", "law"})


def acronyms(title: str) -> set[str]:
    """Short names readers type: "AILD", "GDPR", "DPDP", from a title's words.

    Initials of the title and of each parenthesised part ("(AI Liability
    Directive)" gives AILD); a word already in capitals ("AI") counts whole;
    the initials also without a closing generic word ("Act"), since people say
    "DPDP" for the Digital Personal Data Protection Act.
    """
    found = set()
    bare = title.split("(")[0]
    # "Personal Information Protection Law of the People's Republic of China": PIPL.
    parts = [bare, bare.split(" of ")[0], *re.findall(r"\(([^)]*)\)", title)]
    for part in parts:
        words = [w for w in _WORD.findall(part) if w.lower() not in _MINOR]
        if len(words) < 2:
            continue
        letters = "".join(w if w.isupper() and len(w) <= 4 else w[0].upper() for w in words)
        found.add(letters)
        if words[-1].lower() in _GENERIC_LAST and len(words) > 2:
            found.add(letters[: -len(words[-1]) if words[-1].isupper() else -1])
    return {a for a in found if len(a) >= 3}


def short_names(title: str) -> set[str]:
    """Everything a reader may call an instrument besides its title, lower-cased.

    Its initialisms, its parenthesised name ("General Data Protection
    Regulation") and that name with "artificial intelligence" said the way
    people say it ("AI Act").
    """
    names = {a.lower() for a in acronyms(title)}
    for part in re.findall(r"\(([^)]*)\)", title):
        name = " ".join(part.lower().split())
        if len(name) >= 3 and not name.isdigit():
            names.add(name)
            names.add(name.replace("artificial intelligence", "ai"))
    return names


def all_short_names(title: str, original_title: str = "") -> list[str]:
    """What Instrument.short_names holds: both titles' short names, sorted."""
    return sorted(short_names(title) | short_names(original_title))


SHORT_TITLE = 48  # characters: a calendar line or a narrow cell shows about this many
# A parenthesised part that names the instrument: "(Artificial Intelligence Act)",
# "(TRAIGA)"; not "(EU)", "(Version 1.0)" or "(proposed)".
_NAMED = re.compile(r"^(?:[A-Z][A-Za-z-]*\s)*[A-Z][A-Za-z-]*\s(?:Act|Regulation|Directive|Law)$")
_ACRONYM = re.compile(r"^[A-Z]{4,}$")
_REFERS = re.compile(r"\b(?:by|under|pursuant to|implementing|amending)\b", re.IGNORECASE)


def short_title(title: str, limit: int = SHORT_TITLE) -> str:
    """What a reader calls the instrument where space is short (a calendar entry):
    the title if short; else the name it gives itself in brackets ("AI Act",
    "Colorado AI Act"); else its head before a colon or comma ("Executive Order
    14110"); else the title cut at a word, with an ellipsis."""
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    for found in reversed(list(re.finditer(r"\(([^()]*)\)", title))):
        part = " ".join(found.group(1).split())
        if _REFERS.search(title[: found.start()][-60:]):
            continue  # the name of the act it refers to ("guidelines ... by ... (AI Act)")
        if _NAMED.match(part) or _ACRONYM.match(part):
            return re.sub(r"Artificial Intelligence", "AI", part)
    for mark in (": ", ", "):
        head = title.split(mark)[0]
        if 8 <= len(head) <= limit and head != title:
            return head
    cut = title[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:(")
    return f"{cut}…"
