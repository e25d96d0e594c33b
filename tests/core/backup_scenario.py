"""The part of the restore test that writes: run by tests/core/test_backups.py in a process
of its own, on the scratch database that DATABASE_URL names (the test's own connection
holds the test database's transaction and cannot move).

    python -m tests.core.backup_scenario before   # publish, walk the feed, publish more
    python -m tests.core.backup_scenario after C  # publish again, walk the feed from C

Each prints one JSON line.
"""

from __future__ import annotations

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from apps.api import keys  # noqa: E402
from apps.api.models import ApiClient  # noqa: E402
from apps.cases.models import Evidence, EvidenceKind  # noqa: E402
from apps.instruments.models import Instrument  # noqa: E402
from apps.record.models import AppliedChange  # noqa: E402
from apps.webhooks.models import WebhookEndpoint  # noqa: E402
from tests.helpers import case_proposing, make_user, publish  # noqa: E402


def _people(tag: str):
    users = get_user_model()
    return (
        make_user(users, f"editor-{tag}", group="editor"),
        make_user(users, f"reviewer-{tag}", group="reviewer"),
    )


def _publish(editor, reviewer, count: int, tag: str) -> None:
    rows = Instrument.objects.published().order_by("pk")[:count]
    for n, instrument in enumerate(rows):
        case = case_proposing(editor, instrument, {"summary": f"{instrument.summary} ({tag} {n})"})
        Evidence.objects.create(
            case=case, kind=EvidenceKind.NOTE, title=f"note {tag} {n}", text="Read again."
        )
        publish(case, editor, reviewer)


def _walk(api: APIClient, after: int) -> list[int]:
    seen = []
    while True:
        page = api.get("/api/v1/changes/", {"after": after, "limit": 1000}).json()
        seen += [item["id"] for item in page["results"]]
        after = page["last_id"]
        if not page["more"]:
            return seen


def _api(name: str) -> APIClient:
    org = ApiClient.objects.create(name=name)
    _, secret = keys.issue(org, "sync", ["read", "webhooks"])
    WebhookEndpoint.objects.create(
        client=org, url="https://hooks.example.org/in", kinds=["instrument"], secret="s" * 64
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return api


def before() -> dict:
    editor, reviewer = _people("before")
    api = _api("Backup LLP")
    # The client had followed the feed to its end (the seed's changes: not walked again).
    synced = AppliedChange.objects.order_by("-id").values_list("id", flat=True).first() or 0
    _publish(editor, reviewer, 3, "before")
    cursor = _walk(api, synced)[-1]
    # Published after the client saved its cursor and before the backup: the restored
    # feed must still give these to the client.
    _publish(editor, reviewer, 2, "unseen")
    return {"cursor": cursor}


def after(cursor: int) -> dict:
    editor, reviewer = _people("after")
    api = _api("Restored LLP")
    _publish(editor, reviewer, 2, "after")
    return {"walked": _walk(api, cursor)}


if __name__ == "__main__":
    step = sys.argv[1]
    result = before() if step == "before" else after(int(sys.argv[2]))
    print(json.dumps(result))
