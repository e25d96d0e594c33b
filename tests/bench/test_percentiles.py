"""The benchmarks' percentiles are nearest-rank: a sample that happened, the right one."""

from __future__ import annotations

import pytest

from bench.harness import percentiles


def test_a_p95_of_twenty_samples_is_the_nineteenth_not_the_max():
    figures = percentiles([float(n) for n in range(1, 21)])

    assert figures == {"p50": 10.0, "p95": 19.0, "max": 20.0}


@pytest.mark.parametrize(("count", "p95"), [(1, 1.0), (10, 10.0), (100, 95.0), (101, 96.0)])
def test_a_p95_is_the_sample_at_rank_ceil_of_95_percent(count, p95):
    assert percentiles([float(n) for n in range(count, 0, -1)])["p95"] == p95


def test_no_samples_give_no_figures():
    assert percentiles([]) == {"p50": None, "p95": None, "max": None}
