"""difflib's opcodes under a work budget: what keeps every diff of the watcher cheap.

Split from diffing at the seam between what a diff costs and what it shows.
difflib's matcher costs time quadratic in the number of repeated lines or words,
so a page of thousands of identical lines could hold a worker for minutes: this
module charges that work to a Budget and raises TooLarge past it. What a diff
past its budget shows instead (a summary line, a whole-line word diff, a reason
of the change) is decided in diffing, which is the only caller.
"""

from __future__ import annotations

import difflib
import time

# Work units one diff may spend (a unit is one step of difflib's inner loop, about
# 0.1 µs here): about a second, far above what a real document's diff costs.
DIFF_BUDGET = 10_000_000


class TooLarge(Exception):
    """The diff would cost more than its budget."""


class Budget:
    """Work units, and optionally seconds: past either, spending raises TooLarge."""

    def __init__(self, units: int, seconds: float | None = None) -> None:
        self.left = units
        self.deadline = None if seconds is None else time.monotonic() + seconds

    def out_of_time(self) -> bool:
        return self.deadline is not None and time.monotonic() > self.deadline

    def spend(self, units: int) -> None:
        self.left -= units
        if self.left < 0 or self.out_of_time():
            raise TooLarge


class BoundedMatcher(difflib.SequenceMatcher):
    """difflib's matcher, charged before each longest-match search for the most work
    that search can do: for each a[i] in range, one step per position of a[i] in b."""

    def __init__(self, a: list[str], b: list[str], budget: Budget) -> None:
        self.budget = budget
        budget.spend(len(a) + len(b))
        super().__init__(None, a, b, autojunk=False)

    def find_longest_match(self, alo=0, ahi=None, blo=0, bhi=None):
        ahi = len(self.a) if ahi is None else ahi
        bhi = len(self.b) if bhi is None else bhi
        self.budget.spend(ahi - alo + bhi - blo)
        b2j = self.b2j
        self.budget.spend(sum(len(b2j.get(x, ())) for x in self.a[alo:ahi]))
        return super().find_longest_match(alo, ahi, blo, bhi)


Opcode = tuple[str, int, int, int, int]


def opcodes_within(a: list[str], b: list[str], budget: Budget) -> list[Opcode]:
    """difflib's opcodes from ``a`` to ``b``, the common head and tail matched first.

    Matching them first costs linear time and keeps a small change in a long run of
    repeated lines cheap; the middle goes to the charged matcher (raises TooLarge).
    """
    n, m = len(a), len(b)
    head = 0
    while head < min(n, m) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(n, m) - head and a[n - 1 - tail] == b[m - 1 - tail]:
        tail += 1
    budget.spend(head + tail)
    middle = BoundedMatcher(a[head : n - tail], b[head : m - tail], budget)
    blocks: list[list[int]] = []
    for i, j, size in [
        (0, 0, head),
        *((i + head, j + head, k) for i, j, k in middle.get_matching_blocks()),
        (n - tail, m - tail, tail),
    ]:
        if not size:
            continue
        if blocks and blocks[-1][0] + blocks[-1][2] == i and blocks[-1][1] + blocks[-1][2] == j:
            blocks[-1][2] += size  # adjacent blocks are one run, as difflib gives them
        else:
            blocks.append([i, j, size])
    opcodes: list[Opcode] = []
    i = j = 0
    for ai, bj, size in [*blocks, [n, m, 0]]:
        if i < ai or j < bj:
            tag = "replace" if i < ai and j < bj else "delete" if i < ai else "insert"
            opcodes.append((tag, i, ai, j, bj))
        i, j = ai + size, bj + size
        if size:
            opcodes.append(("equal", ai, i, bj, j))
    return opcodes
