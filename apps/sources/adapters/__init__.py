"""Adapters read official APIs' responses and propose structured edits for a case.

A proposal is a suggestion shown to an editor, never applied automatically: the
editor confirms it, and the services of the amendments and instruments apps write.

Every adapter module offers `read(body, previous)`: the proposals of the fetched
body, leaving out what the previous body of the same source already said, so a
check proposes what changed rather than the whole document again.

Row proposals (target "instrument" or "amendment") are shaped as the curated rows
of apps.record.registry, so the cases app applies every adapter's rows through one
path and adding an adapter touches only its own module:

- `key` is the row's natural key: {"slug": "us-eo-13859"}, {"key": "eo-1-revokes-eo-2"};
- `values` holds the row's fields and children lists (identifiers, events) as a
  proposal holds them, except that a field naming another row holds a reference
  (see `ref`): an adapter knows no database ids;
- `match` names the fields that identify the row when it is already recorded
  under another key (a seeded amendment keyed by hand).

Other targets are read for the editor only: "status" (the watched instrument's
stage: values status and since), "identifier" (an identifier the page shows) and
"note" (something the adapter saw but could not read, kept as text, never guessed).
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROW_TARGETS = frozenset({"instrument", "amendment"})
TARGETS = ROW_TARGETS | {"status", "identifier", "note"}


@dataclass(frozen=True)
class Proposal:
    target: str  # one of TARGETS
    summary: str  # one line for the editor
    values: dict[str, object] = field(default_factory=dict)
    key: dict[str, object] = field(default_factory=dict)  # natural key of a row proposal
    match: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.target not in TARGETS:
            raise ValueError(f"unknown proposal target {self.target!r}")
        if self.target in ROW_TARGETS and not self.key:
            raise ValueError("a row proposal names its row by natural key")


def ref(*, identifier: tuple[str, str] | None = None, **natural_key: object) -> dict[str, object]:
    """A reference to another curated row, for a field such as an amendment's source.

    By natural key (ref(slug="us-eo-13497"), ref(code="US")), by one of the row's
    identifiers (ref(identifier=("eo", "13497"))), or both: the identifier is tried
    first, since a row recorded by hand may carry another slug than the adapter's.
    """
    found: dict[str, object] = dict(natural_key)
    if identifier is not None:
        scheme, value = identifier
        found["identifier"] = {"scheme": scheme, "value": value}
    if not found:
        raise ValueError("a reference names a natural key or an identifier")
    return found
