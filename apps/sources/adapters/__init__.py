"""Adapters read official APIs' responses and propose structured edits for a case.

A proposal is a suggestion shown to an editor, never applied automatically: the
editor confirms it, and the services of the amendments and instruments apps write.
"""

from __future__ import annotations

from dataclasses import dataclass

PROPOSAL_KINDS = frozenset({"amendment", "status", "instrument", "identifier"})


@dataclass(frozen=True)
class Proposal:
    kind: str  # "amendment" | "status" | "instrument" | "identifier"
    summary: str  # one line for the editor
    values: dict[str, object]

    def __post_init__(self) -> None:
        if self.kind not in PROPOSAL_KINDS:
            raise ValueError(f"unknown proposal kind {self.kind!r}")
