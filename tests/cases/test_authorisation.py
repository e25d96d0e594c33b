"""Who may do what: every view and action of the editorial workflow, for every role."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.cases import services
from apps.cases.models import Case, State
from apps.instruments.models import Instrument
from tests.helpers import move

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "staff", "editor", "reviewer", "administrator"]
# Views every working role reaches; a form posted empty comes back with its errors.
WORKING = {
    "new row form": "ok",
    "submit proposal": "invalid form",
    "edit case": "ok",
    "dismiss": "ok",
    "bulk dismiss": "ok",
}
OK = "ok"  # 200, or a redirect back into the admin after a successful action
DENIED = "denied"  # 403
LOGIN = "login"  # redirect to the admin login page


@pytest.fixture
def world(cast):
    """A case in review proposed by editor2 (so reviewer may approve), and one in progress."""
    eo = Instrument.objects.get(slug="us-eo-14110")
    review = move(
        services.case_open(title="Review me", kind="correction"),
        cast["editor2"],
        State.TRIAGED,
        State.IN_PROGRESS,
    )
    services.change_propose(
        case=review,
        actor=cast["editor2"],
        target="instrument",
        action="update",
        row=eo,
        values={"summary": "Reviewed."},
    )
    review = move(review, cast["editor2"], State.IN_REVIEW)
    working = move(
        services.case_open(title="Work me", kind="correction"), cast["editor2"], State.TRIAGED
    )
    change = services.change_propose(
        case=working,
        actor=cast["editor2"],
        target="instrument",
        action="update",
        row=eo,
        values={"summary": "Working."},
    )
    return {"review": review, "working": working, "eo": eo, "change": change}


def _actions(w):
    r, k, eo, ch = w["review"].pk, w["working"].pk, w["eo"].pk, w["change"].pk
    return {
        "queue": ("get", reverse("admin:cases_case_changelist") + "?queue=mine", {}),
        "case page": ("get", reverse("admin:cases_case_change", args=[k]), {}),
        "open case": (
            "post",
            reverse("admin:cases_case_add"),
            {"title": "New", "kind": "correction", "priority": 2},
        ),
        "move": ("post", reverse("admin:cases_case_move", args=[k]), {"to": "in_progress"}),
        "comment": ("post", reverse("admin:cases_case_comment", args=[k]), {"body": "Hi"}),
        "assign": ("post", reverse("admin:cases_case_assign", args=[k]), {"assignee": ""}),
        "propose form": (
            "get",
            reverse("admin:cases_case_propose_update", args=[k, "instrument", eo]),
            {},
        ),
        "retire": ("post", reverse("admin:cases_case_retire", args=[k, "instrument", eo]), {}),
        "rebase": ("post", reverse("admin:cases_case_rebase", args=[k, ch]), {}),
        "withdraw": ("post", reverse("admin:cases_case_withdraw", args=[k, ch]), {}),
        "return": ("post", reverse("admin:cases_case_move", args=[r]), {"to": "in_progress"}),
        "approve": ("post", reverse("admin:cases_case_approve", args=[r]), {"confirm": "on"}),
        "new row form": ("get", reverse("admin:cases_case_propose", args=[k, "jurisdiction"]), {}),
        "submit proposal": (
            "post",
            reverse("admin:cases_case_propose_update", args=[k, "instrument", eo]),
            {"title": ""},
        ),
        "edit case": (
            "post",
            reverse("admin:cases_case_change", args=[k]),
            {"title": "Renamed", "priority": 3, "due_on": "", "description": ""},
        ),
        "dismiss": ("post", reverse("admin:cases_case_move", args=[k]), {"to": "dismissed"}),
        "bulk dismiss": (
            "post",
            reverse("admin:cases_case_changelist"),
            {"action": "dismiss_cases", "_selected_action": [k]},
        ),
        "read row": ("get", reverse("admin:instruments_instrument_change", args=[eo]), {}),
        "edit row": (
            "post",
            reverse("admin:instruments_instrument_change", args=[eo]),
            {"title": "Edited outside a case"},
        ),
    }


# role -> action -> expected outcome
MATRIX = {
    "anonymous": dict.fromkeys(
        [
            "queue",
            "case page",
            "open case",
            "move",
            "comment",
            "assign",
            "propose form",
            "retire",
            "rebase",
            "withdraw",
            "return",
            "approve",
            "read row",
            "edit row",
        ],
        LOGIN,
    ),
    "staff": dict.fromkeys(
        [
            "queue",
            "case page",
            "open case",
            "move",
            "comment",
            "assign",
            "propose form",
            "retire",
            "rebase",
            "withdraw",
            "return",
            "approve",
            "read row",
            "edit row",
        ],
        DENIED,
    ),
    "editor": {
        "queue": OK,
        "case page": OK,
        "open case": OK,
        "move": OK,
        "comment": OK,
        "assign": OK,
        "propose form": OK,
        "retire": OK,
        "rebase": OK,
        "withdraw": OK,
        "return": DENIED,
        "approve": DENIED,
        "read row": OK,
        "edit row": DENIED,
    },
    "reviewer": {
        "queue": OK,
        "case page": OK,
        "open case": OK,
        "move": OK,
        "comment": OK,
        "assign": OK,
        "propose form": OK,
        "retire": OK,
        "rebase": OK,
        "withdraw": OK,
        "return": OK,
        "approve": OK,
        "read row": OK,
        "edit row": DENIED,
    },
    "administrator": {
        "queue": OK,
        "case page": OK,
        "open case": OK,
        "move": OK,
        "comment": OK,
        "assign": OK,
        "propose form": OK,
        "retire": OK,
        "rebase": OK,
        "withdraw": OK,
        "return": OK,
        "approve": OK,
        "read row": OK,
        "edit row": "invalid form",
    },
}
# Views every working role reaches; a proposal posted half-empty comes back with its errors.
WORKING = {
    "new row form": OK,
    "submit proposal": "invalid form",
    "edit case": OK,
    "dismiss": OK,
    "bulk dismiss": OK,
}
for _role in ("editor", "reviewer", "administrator"):
    MATRIX[_role].update(WORKING)
MATRIX["anonymous"].update(dict.fromkeys(WORKING, LOGIN))
MATRIX["staff"].update(dict.fromkeys(WORKING, DENIED))


def _outcome(response) -> str:
    if response.status_code == 403:
        return DENIED
    if response.status_code == 302 and "/login/" in response["Location"]:
        return LOGIN
    if response.status_code in (200, 302):
        body = response.content.decode() if response.status_code == 200 else ""
        if "errornote" in body or "errorlist" in body:
            return "invalid form"
        return OK
    return f"status {response.status_code}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(MATRIX["editor"]))
def test_the_authorisation_matrix(client, cast, world, role, action):
    if role != "anonymous":
        client.force_login(cast[role])
    method, url, data = _actions(world)[action]
    response = getattr(client, method)(url, data)
    assert _outcome(response) == MATRIX[role][action]


def test_a_denied_approval_changes_nothing(client, cast, world):
    client.force_login(cast["editor"])
    client.post(reverse("admin:cases_case_approve", args=[world["review"].pk]), {"confirm": "on"})
    assert Case.objects.get(pk=world["review"].pk).state == State.IN_REVIEW
    assert Instrument.objects.get(pk=world["eo"].pk).summary != "Reviewed."


def _enabled(response) -> set[str]:
    return {b.verb for b in response.context["buttons"] if b.enabled}


def test_the_case_page_offers_only_the_actions_the_user_may_take(client, cast, world):
    url = reverse("admin:cases_case_change", args=[world["review"].pk])
    client.force_login(cast["editor"])
    assert {"Approve and publish", "Return to editor"}.isdisjoint(_enabled(client.get(url)))
    client.force_login(cast["reviewer"])
    assert {"Approve and publish", "Return to editor"} <= _enabled(client.get(url))
    client.force_login(cast["editor2"])  # proposed the change: may not approve it
    assert "Approve and publish" not in _enabled(client.get(url))
