"""The watcher's diff under a work budget (apps/sources/bounded_diff.py): the opcodes
it gives are difflib's, and the work it may do is charged before it is done.

diffing's tests reach this module only through small diffs, where no budget is ever
short; these hold the budget's own rules and the shape of the opcodes.
"""

from __future__ import annotations

import difflib
import itertools
import random

import pytest

from apps.sources.bounded_diff import BoundedMatcher, Budget, TooLarge, opcodes_within


def _is_an_edit_script(opcodes, a: list[str], b: list[str]) -> None:
    """Each opcode takes up where the one before stopped, the last ends at both ends,
    an "equal" range is equal, and each tag says which side its range is on."""
    i = j = 0
    for tag, i1, i2, j1, j2 in opcodes:
        assert (i1, j1) == (i, j)
        assert i1 <= i2 and j1 <= j2 and (i1 < i2 or j1 < j2)
        if tag == "equal":
            assert a[i1:i2] == b[j1:j2]
        else:
            assert (
                tag
                == {(1, 1): "replace", (1, 0): "delete", (0, 1): "insert"}[
                    (int(i1 < i2), int(j1 < j2))
                ]
            )
        i, j = i2, j2
    assert (i, j) == (len(a), len(b))
    tags = [op[0] for op in opcodes]
    assert ("equal", "equal") not in itertools.pairwise(tags)  # one run, one opcode


def test_spending_the_whole_budget_is_allowed_and_one_unit_more_is_too_large() -> None:
    budget = Budget(5)
    budget.spend(5)
    assert budget.left == 0

    with pytest.raises(TooLarge):
        budget.spend(1)


def test_a_budget_without_seconds_never_runs_out_of_time() -> None:
    budget = Budget(10)

    assert budget.deadline is None
    assert not budget.out_of_time()
    budget.spend(1)


def test_a_budget_past_its_seconds_refuses_even_with_units_left() -> None:
    budget = Budget(1_000, seconds=-1)

    assert budget.out_of_time()
    with pytest.raises(TooLarge):
        budget.spend(1)


def test_a_budget_within_its_seconds_spends_as_usual() -> None:
    budget = Budget(1_000, seconds=60)

    assert not budget.out_of_time()
    budget.spend(1)
    assert budget.left == 999


@pytest.mark.parametrize("seed", range(40))
def test_the_opcodes_are_difflibs_when_the_texts_share_no_head_or_tail(seed: int) -> None:
    rng = random.Random(seed)
    a = [rng.choice("abcd") for _ in range(rng.randint(1, 12))]
    b = [rng.choice("abcd") for _ in range(rng.randint(1, 12))]
    a, b = ["<old", *a, "old>"], ["<new", *b, "new>"]

    opcodes = opcodes_within(a, b, Budget(10_000))

    expected = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    assert opcodes == expected


def test_the_opcodes_turn_the_old_lines_into_the_new() -> None:
    # Many short texts of three letters: matches that touch in one text and not in
    # the other ("ababaaba" to "bcbbabb") are among them.
    rng = random.Random(25)
    for _ in range(500):
        a = [rng.choice("abc") for _ in range(rng.randint(0, 10))]
        b = [rng.choice("abc") for _ in range(rng.randint(0, 10))]

        _is_an_edit_script(opcodes_within(a, b, Budget(10_000)), a, b)
    a, b = list("ababaaba"), list("bcbbabb")
    _is_an_edit_script(opcodes_within(a, b, Budget(10_000)), a, b)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("xyzq", "xywq", [("equal", 0, 2, 0, 2), ("replace", 2, 3, 2, 3), ("equal", 3, 4, 3, 4)]),
        ("abc", "abcd", [("equal", 0, 3, 0, 3), ("insert", 3, 3, 3, 4)]),
        ("abcd", "bcd", [("delete", 0, 1, 0, 0), ("equal", 1, 4, 0, 3)]),
        ("aXa", "aa", [("equal", 0, 1, 0, 1), ("delete", 1, 2, 1, 1), ("equal", 2, 3, 1, 2)]),
        ("aa", "aXa", [("equal", 0, 1, 0, 1), ("insert", 1, 1, 1, 2), ("equal", 1, 2, 2, 3)]),
        ("same", "same", [("equal", 0, 4, 0, 4)]),
        ("", "ab", [("insert", 0, 0, 0, 2)]),
        ("ab", "", [("delete", 0, 2, 0, 0)]),
        ("", "", []),
    ],
)
def test_a_common_head_and_tail_are_matched_around_the_change(a, b, expected) -> None:
    assert opcodes_within(list(a), list(b), Budget(1_000)) == expected


def test_one_change_in_a_long_run_of_repeated_lines_costs_linear_work() -> None:
    old = ["the same line"] * 5_000
    new = [*old]
    new[2_500] = "one line changed"
    budget = Budget(20_000)  # difflib alone would step 5,000 x 5,000 times

    opcodes = opcodes_within(old, new, budget)

    assert opcodes == [
        ("equal", 0, 2_500, 0, 2_500),
        ("replace", 2_500, 2_501, 2_500, 2_501),
        ("equal", 2_501, 5_000, 2_501, 5_000),
    ]
    # The head and tail (4,999 lines) are charged a unit each, and the middle's two
    # lines their length and one search.
    assert budget.left == 20_000 - 4_999 - 2 - 2


def test_many_repeated_lines_in_the_middle_are_too_large_for_a_small_budget() -> None:
    old = ["<", *["same"] * 300, ">"]
    new = ["[", *["same"] * 301, "]"]

    with pytest.raises(TooLarge):
        opcodes_within(old, new, Budget(50_000))  # the first search alone: 300 x 301
    assert opcodes_within(old, new, Budget(200_000))[1] == ("equal", 1, 301, 1, 301)


def test_the_matcher_is_charged_for_both_sequences_before_it_starts() -> None:
    budget = Budget(100)

    BoundedMatcher(["a", "b", "c"], ["d", "e"], budget)

    assert budget.left == 100 - 5


def test_a_search_is_charged_its_two_ranges_and_each_position_its_lines_have_in_the_other() -> None:
    a = ["x", "y", "x", "z"]
    b = ["x", "x", "w", "y", "x"]
    budget = Budget(1_000)
    matcher = BoundedMatcher(a, b, budget)
    before = budget.left

    matcher.find_longest_match(1, 4, 1, 4)

    # Ranges 3 and 3; a[1:4] is y, x, z: "y" stands once in b, "x" three times.
    assert before - budget.left == 3 + 3 + 1 + 3


def test_a_search_without_bounds_covers_both_whole_sequences() -> None:
    a = ["x", "y"]
    b = ["y", "x", "x"]
    budget = Budget(1_000)
    matcher = BoundedMatcher(a, b, budget)
    before = budget.left

    match = matcher.find_longest_match()

    assert (match.size, before - budget.left) == (1, 2 + 3 + 2 + 1)
