"""The editors' desk: what waits for one editor or reviewer, for the admin's home and header."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone

from apps.cases import policy
from apps.cases.models import OPEN_STATES, Case, Kind, State
from apps.cases.policy import Act
from apps.sources.models import Source

DUE_SOON = dt.timedelta(days=7)
SHOWN = 10
# The header's counts are cached briefly so every admin page does not recount.
COUNTS_SECONDS = 30


def _mine(user) -> Q:
    return Q(assignee=user, state__in=OPEN_STATES)


def _returned(user) -> Q:
    return Q(
        assignee=user,
        state=State.IN_PROGRESS,
        transitions__from_state=State.IN_REVIEW,
        transitions__to_state=State.IN_PROGRESS,
    )


def counts(user) -> dict[str, int]:
    """Open cases assigned to the user, and cases awaiting their review (one query)."""
    if policy.check(user, Act.TAKE):  # no cases of their own, no desk
        return {}
    key = f"desk-counts:{user.pk}"
    found = cache.get(key)
    if found is None:
        found = Case.objects.aggregate(
            mine=Count("pk", filter=_mine(user)),
            review=Count("pk", filter=policy.awaiting_review(user)),
        )
        if policy.check(user, Act.APPROVE):
            found["review"] = 0  # the header shows no review queue to an editor
        cache.set(key, found, COUNTS_SECONDS)
    return found


def board(user, today: dt.date | None = None) -> dict[str, list]:
    """The dashboard's sections, each its first rows (a fixed number of queries)."""
    today = today or timezone.localdate()
    cases = Case.objects.select_related("assignee", "instrument").order_by(
        "due_on", "-priority", "pk"
    )
    sections = {
        "mine": list(cases.filter(_mine(user))[:SHOWN]),
        "returned": list(cases.filter(_returned(user)).distinct()[:SHOWN]),
        "due": list(cases.open().filter(due_on__lte=today + DUE_SOON)[:SHOWN]),
        "watcher": list(
            cases.filter(kind=Kind.SOURCE_CHANGE, state=State.NEW).order_by("-priority", "-pk")[
                :SHOWN
            ]
        ),
        # Reports the rule gave nobody (no jurisdiction editor, nobody on duty): every
        # editor sees them, so a reader's report never waits unseen.
        "reports": list(
            cases.open()
            .filter(kind=Kind.READER_REQUEST, assignee__isnull=True)
            .order_by("created_at", "pk")[:SHOWN]
        ),
        "broken": list(
            Source.objects.filter(active=True, broken_since__isnull=False).order_by("broken_since")[
                :SHOWN
            ]
        ),
    }
    reviews = policy.check(user, Act.APPROVE) is None
    sections["review"] = list(cases.filter(policy.awaiting_review(user))[:SHOWN]) if reviews else []
    return sections
