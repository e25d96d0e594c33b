"""Time limits inside a task nest: a check's own, and a PDF read's within it."""

import signal
import threading
import time

import pytest

from apps.sources import deadline


class Inner(BaseException):
    pass


class Outer(BaseException):
    pass


def _spin(seconds: float) -> None:
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        pass


def test_the_inner_limit_stops_its_block_and_the_outer_one_keeps_running():
    started = time.monotonic()
    with deadline.time_limit(1.0, Outer):
        with pytest.raises(Inner), deadline.time_limit(0.1, Inner):
            _spin(3)
        assert time.monotonic() - started < 0.5
        # The outer limit still holds for what is left of it.
        with pytest.raises(Outer):
            _spin(3)
    assert time.monotonic() - started < 1.5


def test_an_outer_limit_that_passes_first_raises_its_own_error_inside_the_inner_block():
    with pytest.raises(Outer), deadline.time_limit(0.1, Outer), deadline.time_limit(5, Inner):
        _spin(3)


def test_a_block_that_ends_in_time_leaves_no_alarm_and_the_handler_it_found():
    before = signal.getsignal(signal.SIGALRM)
    with deadline.time_limit(0.2, Inner) as set_:
        assert set_ is True
    _spin(0.3)  # nothing rings
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) == before


def test_someone_elses_pending_alarm_is_left_alone():
    rang = []
    previous = signal.signal(signal.SIGALRM, lambda *_: rang.append(True))
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    try:
        with deadline.time_limit(0.05, Inner) as set_:
            assert set_ is False
            _spin(0.1)
        _spin(0.4)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert rang == [True]


def test_outside_the_main_thread_no_limit_is_set():
    seen = []

    def run():
        with deadline.time_limit(0.05, Inner) as set_:
            seen.append(set_)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert seen == [False]


def test_a_checks_limit_says_how_long_it_was_in_the_words_editors_see():
    with pytest.raises(deadline.CheckTimeLimit) as stopped, deadline.check_time_limit(0.1):
        _spin(3)
    assert str(stopped.value) == "the check took longer than 0.1 s and was stopped"
    # No library's `except Exception` can swallow it.
    assert not issubclass(deadline.CheckTimeLimit, Exception)
