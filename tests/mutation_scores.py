"""Per-module mutation scores from mutmut's results, for tests/MUTATION.md.

Run by `make mutate` after `mutmut run`. A mutant listed in tests/MUTATION.md
as equivalent (a line starting with "- `<mutant name>`" under "## Equivalent
mutants") is left out of its module's score; every other survivor is printed
so it can be listed as equivalent, with its reason, or as a known gap.
Exits 1 when a module scores under the bar, or when pyproject's [tool.mutmut] lists
and tests/mutation_selection.py disagree. `mutation_scores.py apps/api/feed.py ...`
scores those modules only (a run limited to them).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BAR = 0.90  # of the non-equivalent mutants, in every module (issue 25)
KILLED = {"killed", "timeout"}  # a mutant that hangs the tests is caught too


def modules() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    return [p.removesuffix(".py").replace("/", ".") for p in config["only_mutate"]]


def disagreements() -> list[str]:
    """What pyproject's mutmut lists and the per-module selection disagree on."""
    sys.path.insert(0, str(ROOT))
    from tests.mutation_selection import SELECTION, union

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    out = []
    if config["only_mutate"] != list(SELECTION):
        out.append("only_mutate is not the modules of tests/mutation_selection.py")
    if sorted(config["pytest_add_cli_args_test_selection"]) != union():
        out.append("pytest_add_cli_args_test_selection is not the union of the selections")
    return out


def equivalent() -> set[str]:
    text = (ROOT / "tests" / "MUTATION.md").read_text()
    section = text.split("## Equivalent mutants", 1)[-1].split("\n## ", 1)[0]
    return set(re.findall(r"^- `([^`]+)`", section, flags=re.MULTILINE))


def results() -> list[tuple[str, str]]:
    out = subprocess.run(
        [str(Path(sys.executable).parent / "mutmut"), "results", "--all", "true"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        sys.exit(f"mutmut results failed ({out.returncode}): {out.stderr.strip()[-2000:]}")
    out = out.stdout
    return [
        (name.strip(), status.strip())
        for name, _, status in (line.rpartition(":") for line in out.splitlines())
        if name.strip()
    ]


def main(only: list[str]) -> int:
    problems = disagreements()
    for problem in problems:
        print(f"mutation_scores: {problem}", file=sys.stderr)
    if problems:
        return 1
    names = modules()
    if only:
        names = [n for n in names if n in {p.removesuffix(".py").replace("/", ".") for p in only}]
    skip = equivalent()
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    survivors: dict[str, list[str]] = defaultdict(list)
    for mutant, status in results():
        module = next((m for m in names if mutant.startswith(m + ".")), None)
        if module is None:
            continue
        if mutant in skip:
            counts[module]["equivalent"] += 1
            continue
        counts[module]["total"] += 1
        if status in KILLED:
            counts[module]["killed"] += 1
        else:
            survivors[module].append(f"{mutant}: {status}")
    failed = False
    print(f"{'module':<32} {'killed':>7} {'of':>4} {'score':>6}  equivalent left out")
    for module in names:
        c = counts[module]
        score = c["killed"] / c["total"] if c["total"] else 0.0
        failed = failed or score < BAR
        print(f"{module:<32} {c['killed']:>7} {c['total']:>4} {score:>6.0%}  {c['equivalent']}")
    for module in names:
        for line in survivors[module]:
            print(f"survived  {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
