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

A proposal is stored on its Change in its JSON form (`to_json`) and read back with
`Proposal.from_json`, the one way back to the type. Only the sources admin reads a
key itself: it lists the summaries of changes of any age, some stored before the
proposal had its present form.

federal_register_notes is no adapter (no Source names it): it reads the notes of
the federal_register adapter's documents.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

ROW_TARGETS = frozenset({"instrument", "amendment"})
TARGETS = ROW_TARGETS | {"status", "identifier", "note"}


class MalformedProposal(ValueError):
    """A stored value is not the JSON form of a proposal; the message says what is wrong."""


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

    def to_json(self) -> dict[str, Any]:
        """The form stored on a Change: plain JSON, a value JSON cannot hold as its str."""
        return json.loads(json.dumps(asdict(self), default=str))

    @classmethod
    def from_json(cls, stored: object) -> Proposal:
        """The proposal whose JSON form (to_json's) is `stored`.

        Raises MalformedProposal, naming the field, when `stored` is no such form: not
        an object, a field missing, unknown or of another JSON type, or a proposal the
        type refuses (an unknown target, a row proposal without a key).
        """
        if not isinstance(stored, dict):
            raise MalformedProposal(f"a stored proposal is a JSON object, not {_json_type(stored)}")
        unknown = sorted(set(stored) - set(_JSON_FIELDS))
        if unknown:
            raise MalformedProposal(f"a stored proposal has unknown fields: {', '.join(unknown)}")
        for name, (kind, json_name) in _JSON_FIELDS.items():
            if name not in stored:
                if name in ("target", "summary"):  # the fields without a default
                    raise MalformedProposal(f"a stored proposal has no {name!r}")
            elif not isinstance(stored[name], kind):
                raise MalformedProposal(
                    f"a stored proposal's {name!r} is a JSON {json_name}, "
                    f"not {_json_type(stored[name])}"
                )
        match = stored.get("match", ())
        if not all(isinstance(name, str) for name in match):
            raise MalformedProposal("a stored proposal's 'match' is an array of field names")
        try:
            return cls(
                target=stored["target"],
                summary=stored["summary"],
                values=dict(stored.get("values", {})),
                key=dict(stored.get("key", {})),
                match=tuple(match),
            )
        except ValueError as exc:
            raise MalformedProposal(f"a stored proposal is refused: {exc}") from None


# Each field of the JSON form: the Python types json.loads gives it, its JSON name. A
# field added to Proposal goes here too, or its round-trip test fails.
_JSON_FIELDS: dict[str, tuple[type | tuple[type, ...], str]] = {
    "target": (str, "string"),
    "summary": (str, "string"),
    "values": (dict, "object"),
    "key": (dict, "object"),
    "match": ((list, tuple), "array"),
}


def _json_type(value: object) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", int: "number",
             float: "number", type(None): "null"}  # fmt: skip
    return names.get(type(value), type(value).__name__)


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
