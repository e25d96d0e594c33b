"""How big a generated record is: the scales the benchmarks and CI's smoke run use."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    jurisdictions: int  # in all, the seed's included
    instruments: int
    obligations: int
    amendments: int
    sources: int
    changes: int
    cases: int

    @property
    def tiny(self) -> bool:
        return self.name == "tiny"


SCALES = {
    "full": Scale("full", 300, 100_000, 300_000, 50_000, 10_000, 200_000, 2_000),
    # CI's smoke run (tests/bench/test_smoke.py): every table, a few rows each.
    "tiny": Scale("tiny", 100, 300, 900, 150, 60, 600, 10),
}
