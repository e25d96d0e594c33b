"""tests/parallel.py: what the processes of one parallel run share, and when `-n auto`
starts no workers."""

from __future__ import annotations

import threading
from types import SimpleNamespace

from tests import parallel


def test_a_second_holder_of_a_lock_waits_until_the_first_lets_go(pytestconfig, tmp_path_factory):
    order: list[str] = []
    held, release = threading.Event(), threading.Event()

    def first() -> None:
        with parallel.one_at_a_time(pytestconfig, tmp_path_factory, "probe"):
            order.append("first in")
            held.set()
            release.wait(30)
            order.append("first out")

    def second() -> None:
        with parallel.one_at_a_time(pytestconfig, tmp_path_factory, "probe"):
            order.append("second in")

    holder = threading.Thread(target=first)
    holder.start()
    assert held.wait(30)
    waiter = threading.Thread(target=second)
    waiter.start()
    waiter.join(0.5)
    waiting = waiter.is_alive()
    release.set()
    holder.join(30)
    waiter.join(30)

    assert waiting
    assert order == ["first in", "first out", "second in"]


def test_the_run_folder_is_the_sessions_own_or_under_xdist_the_one_its_workers_share(
    tmp_path_factory,
):
    base = tmp_path_factory.getbasetemp()

    assert parallel.run_folder(SimpleNamespace(), tmp_path_factory) == base
    assert parallel.run_folder(SimpleNamespace(workerinput={}), tmp_path_factory) == base.parent


def auto_workers(*args: str, keyword: str = "") -> int | None:
    config = SimpleNamespace(args=list(args), getoption={"keyword": keyword}.__getitem__)
    return parallel.pytest_xdist_auto_num_workers(config)


def test_auto_starts_no_workers_for_tests_named_or_picked_by_keyword():
    assert auto_workers("tests/core/test_health.py::test_health_leaks_no_settings_or_secrets") == 0
    assert auto_workers("tests/cases", "tests/core/test_health.py::test_x") == 0
    assert auto_workers("tests", keyword="health") == 0


def test_auto_leaves_the_count_to_xdist_for_folders_and_files():
    assert auto_workers("tests") is None
    assert auto_workers("tests/cases", "tests/core/test_health.py") is None
