"""Generated applicability conditions on a few percent of the generated obligations:
thresholds on revenue, compute, users or employees, SME status and sectors, the
facts the applicability check (issue 22) reads."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bench.tables.writing import Writer, pg_array

if TYPE_CHECKING:
    from bench.tables.sizes import Scale

SHARE = 0.04  # of obligations with conditions: the record has them where the text sets them
SECTORS = [
    "employment", "education", "credit", "health", "biometrics", "critical_infrastructure",
    "law_enforcement", "migration", "justice", "public_services", "housing", "legal_services",
]  # fmt: skip
# (fact, comparison, thresholds): the shapes the condition_shape constraint allows.
THRESHOLDS = [
    ("annual_revenue_usd", "at_least", [10_000_000, 50_000_000, 500_000_000, 1_000_000_000]),
    ("training_compute_flop", "more_than", [10**23, 10**25, 10**26]),
    ("users", "at_least", [1_000_000, 45_000_000]),
    ("employees", "at_least", [50, 250]),
    ("employees", "below", [50, 250]),
]
FACTS = ["threshold", "threshold", "threshold", "sme", "sector", "sector"]


def generated_obligations(w: Writer, instruments: list[int]) -> list[tuple[int, int, object]]:
    """(id, instrument id, applies_from) of the generated obligations, in id order."""
    return w.conn.execute(
        "SELECT id, instrument_id, applies_from FROM obligations_obligation"
        " WHERE instrument_id BETWEEN %s AND %s ORDER BY id",
        [instruments[0], instruments[-1]],
    ).fetchall()


def write_conditions(w: Writer, rng, s: Scale, obligations, counts) -> None:
    first = w.next_id("obligations_condition")

    def rows():
        cid = first
        for oid, _, _ in obligations:
            if rng.random() >= SHARE:
                continue
            taken: set[tuple[str, str]] = set()
            for _ in range(rng.choice([1, 1, 2])):
                row = _condition(rng)
                if row[:2] in taken:  # one condition of a fact and comparison (condition_once)
                    continue
                taken.add(row[:2])
                yield (cid, oid, *row, f"Article {rng.randrange(1, 40)}({rng.randrange(1, 6)})")
                cid += 1

    counts["conditions"] = w.copy(
        "obligations_condition",
        ["id", "obligation_id", "fact", "comparison", "number", "flag", "sectors", "note"],
        rows(),
    )


def _condition(rng) -> tuple:
    shape = rng.choice(FACTS)
    if shape == "threshold":
        fact, comparison, numbers = rng.choice(THRESHOLDS)
        return (fact, comparison, rng.choice(numbers), None, "{}")
    if shape == "sme":
        return ("sme", "is", None, rng.random() < 0.3, "{}")
    sectors = sorted(rng.sample(SECTORS, rng.randrange(1, 4)))
    return ("sector", "one_of", None, None, pg_array(sectors))
