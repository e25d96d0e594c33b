"""Shared test scaffolding: users per role, workflow moves, threads that start together."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import Group
from django.db import connection

from apps.cases import services
from apps.cases.models import State
from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction


def make_user(django_user_model, name: str, *, group: str | None = None, staff: bool = True):
    user = django_user_model.objects.create_user(
        name, f"{name}@example.org", f"pw-{name}-123", is_staff=staff
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def move(case, actor, *states):
    for state in states:
        case = services.case_transition(case=case, to_state=state, actor=actor)
    return case


def publish(case, editor, reviewer):
    """Take a case from wherever it is being worked to published."""
    path = [State.TRIAGED, State.IN_PROGRESS, State.IN_REVIEW]
    if case.state in path:
        path = path[path.index(case.state) + 1 :]
    return services.case_approve(case=move(case, editor, *path), reviewer=reviewer)


def make_testland_law() -> Instrument:
    """A jurisdiction and an instrument of our own, for tests that run without the seed."""
    country = Jurisdiction.objects.create(code="ZZ", name="Testland", kind="country")
    return Instrument.objects.create(
        slug="zz-law",
        title="Testland AI law",
        kind="law",
        jurisdiction=country,
        legal_force="binding",
    )


def run_together(*calls: Callable[[], Any], timeout: float = 30) -> list[Any]:
    """Run the calls in threads released at the same moment; results or exceptions, in order.

    Each thread has its own database connection (Django's are per thread), closed at the end.
    """
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # returned to the test, which asserts on it
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results


def case_proposing(editor, row, values: dict[str, Any], *, title: str = "Correction"):
    """An in-progress correction case of `editor` that proposes `values` for `row`."""
    from apps.record.registry import for_model

    case = move(
        services.case_open(title=title, kind="correction", created_by=editor),
        editor,
        State.TRIAGED,
        State.IN_PROGRESS,
    )
    services.change_propose(
        case=case,
        actor=editor,
        target=for_model(type(row)).target,
        action="update",
        row=row,
        values=values,
    )
    return case
