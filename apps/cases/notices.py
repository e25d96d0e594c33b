"""The emails of the editorial desk: who hears of what, in plain words, with a link.

Each notice names the case or source by its title, says what happened as a
person would (never a state code), and ends with the admin page to open,
built on SITE_URL (never on the Host header of whichever request caused it).
Notices are queued with the send_notification task when the transaction
commits, so a rolled-back write sends nothing, and a slow mail server never
holds a request or a check. Nobody is told of their own action.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse

from apps.accounts.roles import REVIEW, WORK
from apps.cases.models import Case, Comment, ProposedChange, State

# Who may fix or pause a source: the administrators.
CHANGE_SOURCE = "sources.change_source"
# Returned to the editor: a reviewer sent it back from review.
RETURNED = (State.IN_REVIEW, State.IN_PROGRESS)
# A reader's report is answered when its case ends, either way.
CLOSED = (State.PUBLISHED, State.DISMISSED)


def link(viewname: str, *args: object) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(viewname, args=args)


def case_link(case: Case) -> str:
    return link("admin:cases_case_change", case.pk)


def name(user) -> str:
    if user is None:
        return "the watcher"
    return user.get_full_name() or user.get_username()


def send(to: Iterable[str], subject: str, body: str, *, actor=None) -> None:
    recipients = sorted({address for address in to if address} - {getattr(actor, "email", "")})
    if not recipients:
        return
    from apps.core.tasks import send_notification

    send_notification.delay_on_commit(recipients, subject[:200], body)


def emails_with(permission: str, *, superusers: bool = False) -> list[str]:
    """Active users holding `permission` through a role (or, if asked, as superusers)."""
    app_label, codename = permission.split(".")
    holds = Q(
        groups__permissions__codename=codename,
        groups__permissions__content_type__app_label=app_label,
    )
    if superusers:
        holds |= Q(is_superuser=True)
    users = get_user_model().objects.filter(holds, is_active=True).exclude(email="")
    return list(users.values_list("email", flat=True).distinct())


def _email(user) -> str:
    return getattr(user, "email", "") or ""


# -- the workflow -------------------------------------------------------------


def case_moved(case: Case, from_state: str, to_state: str, actor, note: str = "") -> None:
    if to_state in CLOSED and case.reporter_id is not None:
        reader_report_closed(case)
    if (from_state, to_state) == RETURNED:
        case_returned(case, actor, note)
    elif to_state == State.PUBLISHED:
        case_published(case, actor)
    else:
        to = [_email(case.assignee)]
        if to_state == State.IN_REVIEW:
            to += emails_with(REVIEW)
        before = State(from_state).label if from_state else "opened"
        send(
            to,
            f"Case #{case.pk} is now {State(to_state).label}: {case.title}",
            f"{name(actor)} moved the case “{case.title}” from {before} to "
            f"{State(to_state).label}.\n\nOpen the case: {case_link(case)}\n",
            actor=actor,
        )


def case_returned(case: Case, actor, note: str = "") -> None:
    # The assignee works it again; a case nobody took goes back to whoever opened it.
    person = case.assignee or case.created_by
    why = f"\n\nThe reviewer wrote: {note}" if note else ""
    send(
        [_email(person)],
        f"Case #{case.pk} returned to you: {case.title}",
        f"{name(actor)} returned the case “{case.title}” to you; it is in progress "
        f"again and can be changed before you submit it once more.{why}\n\n"
        f"Open the case: {case_link(case)}\n",
        actor=actor,
    )


def case_published(case: Case, actor) -> None:
    # Whoever wrote it: the author who opened it, its assignee, everyone who proposed in it.
    to = [_email(case.assignee), _email(case.created_by)]
    to += ProposedChange.objects.filter(case=case).values_list("proposed_by__email", flat=True)
    send(
        to,
        f"Case #{case.pk} published: {case.title}",
        f"{name(actor)} approved the case “{case.title}”: its changes are now part of "
        f"the published record.\n\nSee what was published: {case_link(case)}\n",
        actor=actor,
    )


def case_assigned(case: Case, assignee, actor) -> None:
    send(
        [_email(assignee)],
        f"Case #{case.pk} assigned to you: {case.title}",
        f"{name(actor)} assigned you the case “{case.title}”.\n\n"
        f"Open the case: {case_link(case)}\n",
        actor=actor,
    )


def comment_added(comment: Comment) -> None:
    case = comment.case
    others = (
        Comment.objects.filter(case=case)
        .exclude(pk=comment.pk)
        .exclude(author__email="")
        .values_list("author__email", flat=True)
    )
    send(
        [_email(case.assignee), *others],
        f"New comment on case #{case.pk}: {case.title}",
        f"{name(comment.author)} commented on the case “{case.title}”:\n\n"
        f"{comment.body}\n\nReply on the case: {case_link(case)}#comments\n",
        actor=comment.author,
    )


# -- a reader's report --------------------------------------------------------------


def reader_report_assigned(case: Case, assignee, why: str, message: str) -> None:
    """The rule gave a reader's report to `assignee`: they hear why them, and what it says."""
    send(
        [_email(assignee)],
        f"Reader report #{case.pk} assigned to you: {case.title}",
        f"A reader reported a problem and the case is yours: you are {why}.\n\n"
        f"What they wrote:\n{message}\n\nOpen the case: {case_link(case)}\n",
    )


def reader_report_closed(case: Case) -> None:
    """The reader hears the outcome and the editors' public reason, never the desk's
    internals: no admin link, no internal title or note. The link is the portal's
    "My reports" page (named by its URL, so this module imports no surface)."""
    reader = case.reporter
    if reader is None or not reader.is_active:
        return
    if case.state == State.PUBLISHED:
        outcome = "The editors corrected the record."
    else:
        outcome = "The editors looked into it and made no change to the record."
    reason = f"\n\nThe editors wrote: {case.public_reason}" if case.public_reason else ""
    send(
        [_email(reader)],
        f"Your report #{case.pk} is closed",
        f"Thank you for your report of {case.created_at:%d %B %Y}. {outcome}{reason}\n\n"
        f"Your reports: {link('portal:my-reports')}\n",
    )


# -- the watcher --------------------------------------------------------------


def watcher_case_opened(case: Case, source, change) -> None:
    """A change on a watched source opened a new case: the editors and reviewers pick it up."""
    reasons = "; ".join(change.reasons) or "the text changed"
    send(
        emails_with(WORK),
        f"New case from the watcher: {case.title}",
        f"The watcher saw a {change.get_significance_display()} change on "
        f"“{source.name}” ({reasons}) and opened case #{case.pk}.\n\n"
        f"Open the case: {case_link(case)}\n"
        f"See the change: {link('admin:sources_change_change', change.pk)}\n",
    )


def source_broken(source, reason: str, case: Case | None = None) -> None:
    """A source the watcher can no longer read: the administrators fix or pause it."""
    tracked = f"\nThe case tracking it: {case_link(case)}" if case is not None else ""
    send(
        emails_with(CHANGE_SOURCE, superusers=True),
        f"Watched source broken: {source.name}",
        f"The watcher can no longer read “{source.name}” ({source.url}).\n\n"
        f"Why: {reason}\n\n"
        "Its checks continue on schedule and the next success clears this; fix its "
        "address or selector, or pause it.\n\n"
        f"The source: {link('admin:sources_source_change', source.pk)}{tracked}\n",
    )
