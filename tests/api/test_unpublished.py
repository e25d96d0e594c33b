"""Nothing unpublished reaches a client: proposals, cases, evidence, reader requests,
retired rows."""

from __future__ import annotations

import json

import pytest

from apps.api import keys
from apps.cases import services
from apps.cases.models import State
from apps.instruments.models import Instrument
from apps.record.services import Why, write
from tests.helpers import move

pytestmark = pytest.mark.django_db
MARK = "zzunpublishedzz"


def _secret_work(cast) -> None:
    """An open case with evidence, a reader's request, a new row and an edit, all proposed."""
    case = services.case_open(
        title=f"Case {MARK}",
        kind="reader_request",
        created_by=cast["editor"],
        description=f"internal {MARK}",
        public_reason=f"reason {MARK}",
        evidence=[{"kind": "reader_request", "title": MARK, "text": f"please {MARK}"}],
    )
    case = move(case, cast["editor"], State.TRIAGED, State.IN_PROGRESS)
    act = Instrument.objects.get(slug="eu-ai-act")
    services.change_propose(
        case=case,
        actor=cast["editor"],
        target="instrument",
        action="update",
        row=act,
        values={"summary": f"edited {MARK}"},
    )
    services.change_propose(
        case=case,
        actor=cast["editor"],
        target="instrument",
        action="create",
        values={
            "slug": f"{MARK}-order",
            "title": f"Order {MARK}",
            "kind": "executive_order",
            "jurisdiction": {"code": "US"},
            "legal_force": "binding",
        },
    )
    move(case, cast["editor"], State.IN_REVIEW)
    retired = Instrument.objects.get(slug="us-eo-14110")
    write(
        target="instrument",
        row=retired,
        values={"summary": f"retired {MARK}"},
        base_version=retired.version,
        why=Why.system("test"),
    )
    retired.refresh_from_db()
    write(
        target="instrument",
        action="retire",
        row=retired,
        base_version=retired.version,
        why=Why.system("test: retire"),
    )


def _every_page(client, url: str, params: dict) -> list[str]:
    bodies = []
    while url:
        response = client.get(url, params)
        assert response.status_code in (200, 403), response.content
        bodies.append(response.content.decode())
        body = response.json() if response.status_code == 200 else {}
        url, params = (body.get("next"), {}) if isinstance(body, dict) else (None, {})
        if body.get("more") is False:
            break
    return bodies


@pytest.mark.parametrize("scopes", [["read"], ["read", "webhooks"], ["webhooks"]])
def test_no_endpoint_shows_unpublished_work_for_any_scope(cast, client_org, scopes):
    from rest_framework.test import APIClient

    _secret_work(cast)
    _, secret = keys.issue(client_org, "probe", scopes)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    lists: list[str] = []
    for resource in ("jurisdictions", "instruments", "obligations", "amendments", "coverage"):
        params = {"page_size": 100}
        if resource == "instruments":
            params["include"] = "identifiers,events,parties,obligations,amendments,citations"
        lists += _every_page(client, f"/api/v1/{resource}/", params)
    lists += _every_page(client, "/api/v1/instruments/eu-ai-act/", {"include": "obligations"})
    found = _every_page(client, "/api/v1/search/", {"q": MARK})
    feed = _every_page(client, "/api/v1/changes/", {"limit": 1000})
    assert MARK not in "".join(lists)
    listed = [r["id"] for body in lists for r in json.loads(body).get("results", [])]
    assert "us-eo-14110" not in listed  # retired (amendments still name it, as history)
    assert MARK not in "".join(found).replace(f'"q":"{MARK}"', "")
    # The retired row's last published words are in the feed (a client that synced
    # them must learn they were retired); nothing of the case is.
    assert MARK not in "".join(feed).replace(f"retired {MARK}", "")


def test_the_feed_tells_clients_a_row_was_retired(api, cast):
    _secret_work(cast)
    items = api.get("/api/v1/changes/", {"limit": 1000, "kind": "instrument"}).json()["results"]
    last = [i for i in items if i["entity"]["id"] == "us-eo-14110"][-1]
    assert last["action"] == "retire"
    assert json.dumps(last).count(MARK) <= 1  # the row's own last text, not the case's
