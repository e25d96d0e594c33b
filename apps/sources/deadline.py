"""Time limits inside a task, which nest: a check's own, and a PDF read's within it.

Celery's limits are per task: in a batch of checks (tasks.check_batch_task) its soft
limit would stop the batch, not the one check that hangs, and could not say which
source was slow. A limit here comes from SIGALRM instead, as Celery's prefork pool
delivers its own: the exception arrives wherever the code is, in a read, a query or
a parser. One alarm serves every limit in force, set for the earliest; when it
rings, the earliest limit that has passed raises its exception.

Signals reach only the main thread, where the prefork and solo pools run tasks.
Elsewhere (a thread pool), or while someone else's alarm is pending, `time_limit`
sets nothing and says so (it yields False): the caller falls back on its own checks.
Before this module, the PDF reader's alarm refused any handler but the default, and
a prefork pool process has one (billiard's terminate handler), so in a worker only
its between-pages check held.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class CheckTimeLimit(BaseException):
    """The check ran past its own time limit. A BaseException, so that a library's
    `except Exception` recovery cannot swallow it inside the check."""


# Limits in force: (monotonic deadline, what to raise), innermost last.
_limits: list[tuple[float, Callable[[], BaseException]]] = []
_before: list[object] = []  # the SIGALRM handler the outermost limit replaced


def _ring(signum, frame) -> None:
    now = time.monotonic()
    passed = [limit for limit in _limits if limit[0] <= now]
    if not passed:
        _arm()  # early: set again for what is left
        return
    raise min(passed, key=lambda limit: limit[0])[1]()


def _arm() -> None:
    if _limits:
        earliest = min(limit[0] for limit in _limits)
        # 0 would cancel the alarm: a limit already past rings at once.
        signal.setitimer(signal.ITIMER_REAL, max(earliest - time.monotonic(), 1e-6))
    else:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _usable() -> bool:
    """Only in the main thread, and only when no one else's alarm is pending. A handler
    with no alarm pending is passive (billiard's pool processes install their
    terminate handler for SIGALRM): it is set aside for the limit and put back after."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not (
        threading.main_thread()
    ):
        return False
    return bool(_limits) or signal.getitimer(signal.ITIMER_REAL)[0] == 0


@contextmanager
def time_limit(seconds: float, error: Callable[[], BaseException]) -> Iterator[bool]:
    """Raise ``error()`` in the block once it has run ``seconds`` (or an outer limit's
    error, if that one passes first). Yields whether the limit is set."""
    if not _usable():
        yield False
        return
    entry = (time.monotonic() + seconds, error)
    if not _limits:
        _before[:] = [signal.signal(signal.SIGALRM, _ring)]
    _limits.append(entry)
    _arm()
    try:
        yield True
    finally:
        # Disarmed first, so the alarm cannot ring while the list is changed.
        signal.setitimer(signal.ITIMER_REAL, 0)
        _limits.remove(entry)
        if _limits:
            _arm()
        else:
            signal.signal(signal.SIGALRM, _before.pop() if _before else signal.SIG_DFL)


def check_time_limit(seconds: float):
    """A check's own limit, raising CheckTimeLimit with the words editors see."""
    return time_limit(
        seconds, lambda: CheckTimeLimit(f"the check took longer than {seconds:g} s and was stopped")
    )
