"""Shared test scaffolding: users per role, workflow moves, threads that start together,
and record rows written through the one write path as a case's approval writes them."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import Group
from django.db import connection

from apps.cases import services
from apps.cases.models import State
from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction
from apps.record import services as record
from apps.record.services import Why


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


def write(target: str, values: dict[str, Any], row=None):
    """Create (row=None) or update one curated row through the one write path."""
    return record.write(target=target, why=Why.system("test"), row=row, values=values).row


def in_force(instrument: Instrument, on: dt.date | str = "2024-01-01") -> Instrument:
    """The instrument with one event: it entered into force on `on`."""
    day = on.isoformat() if isinstance(on, dt.date) else on
    events = [{"kind": "entered_into_force", "date": day, "date_precision": "day", "note": ""}]
    return write("instrument", {"events": events}, row=instrument)


def another_act(act: Instrument, slug: str, title: str) -> Instrument:
    """A binding law of the same jurisdiction as `act` (an amending act, a replacement)."""
    return write(
        "instrument",
        {
            "slug": slug,
            "title": title,
            "kind": "law",
            "jurisdiction": act.jurisdiction_id,
            "legal_force": "binding",
        },
    )
