"""One small record with a row in every state a reader surface must tell apart, and
the people and keys who read it; built once per test module (tests/visibility).

Each state's rows carry a mark of their own in every text a surface writes (titles,
summaries, requirements, keys), so what a surface shows of a state is one substring
test: `qqpublished`, `qqretired`, `qqdraft`, `qqproposed`, `qqended`. Nothing of one
state names a row of another, so a mark found is a row of that state shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import Group

from apps.api import keys
from apps.api.models import ApiClient
from apps.cases import services
from apps.cases.models import State
from apps.portal.models import Reader, SavedProfile, Watch
from apps.record import services as record
from apps.record.selectors import record_version
from apps.record.services import Why
from tests.helpers import move

STATES = ("published", "retired", "draft", "proposed", "ended")
MARKS = {state: f"qq{state}" for state in STATES}
# A word each state's rows (and only they) hold, to search for: it is not the mark, so a
# page that repeats the query shows no mark.
WORDS = {state: f"vx{state}" for state in STATES}


@dataclass
class World:
    """What the matrix reads: each state's rows by their public names, the readers and keys."""

    users: dict = field(default_factory=dict)  # identity name -> user
    keys: dict = field(default_factory=dict)  # identity name -> API key secret
    tokens: dict = field(default_factory=dict)  # identity name -> calendar token
    profiles: dict = field(default_factory=dict)  # identity name -> saved profile pk
    endpoints: dict = field(default_factory=dict)  # identity name -> webhook endpoint
    # state -> {"instrument": slug, "obligation": "slug:key", "jurisdiction": code,
    # "amendment": key}; the row of that kind a detail surface opens for the state.
    rows: dict = field(default_factory=dict)
    delivered: list = field(default_factory=list)  # the bodies POSTed to our endpoint
    start: int = 0  # the last change before this record was written
    snapshot: str = ""  # the id of the snapshot cut once the record is written


def _write(target: str, values: dict, row=None):
    return record.write(
        target=target, why=Why.system("visibility matrix"), row=row, values=values
    ).row


def _retire(target: str, row) -> None:
    record.write(target=target, action="retire", row=row, why=Why.system("visibility: retire"))


def _instrument(state: str, slug: str, title: str, jurisdiction, events: list[tuple[str, str]]):
    return _write(
        "instrument",
        {
            "slug": slug,
            "title": title,
            "summary": f"{title}, about AI systems: {WORDS[state]}.",
            "kind": "law",
            "jurisdiction": jurisdiction.pk,
            "legal_force": "binding",
            "topics": ["transparency"],
            "events": [
                {"kind": kind, "date": day, "date_precision": "day", "note": ""}
                for kind, day in events
            ],
        },
    )


def _duty(instrument, key: str, mark: str, applies_from: str, applies_until: str | None = None):
    values = {
        "instrument": instrument.pk,
        "key": key,
        "provision": f"Article {mark}",
        "addressee": "provider",
        "requirement": f"Providers keep a {mark} register of AI systems ({WORDS[mark[2:]]}).",
        "risk_tier": "high",
        "applies_from": applies_from,
    }
    if applies_until:
        values["applies_until"] = applies_until
    return _write("obligation", values)


def _users(django_user_model) -> dict:
    def user(name: str, group: str | None = None, *, staff: bool = False):
        made = django_user_model.objects.create_user(
            f"vis-{name}", f"vis-{name}@example.org", f"pw-{name}-123", is_staff=staff
        )
        if group:
            made.groups.add(Group.objects.get(name=group))
        return made

    return {
        "reader": user("reader"),
        "editor": user("editor", "editor", staff=True),
        "reviewer": user("reviewer", "reviewer", staff=True),
        "another user": user("another"),
        "deactivated": user("deactivated"),
    }


def build(django_user_model, receiver) -> World:
    from apps.webhooks import delivery

    world = World()
    world.users = _users(django_user_model)
    ours = ApiClient.objects.create(name="Visibility LLP", contact_email="it@vis.example")
    theirs = ApiClient.objects.create(name="Other LLP", contact_email="it@other.example")
    world.keys = {
        "key: read": keys.issue(ours, "read", ["read"])[1],
        "key: webhooks": keys.issue(ours, "hooks", ["webhooks"])[1],
        "key: read, webhooks": keys.issue(ours, "both", ["read", "webhooks"])[1],
        "another client": keys.issue(theirs, "both", ["read", "webhooks"])[1],
    }
    # Registered before the record is written: each is owed every change below.
    world.start = record_version()
    world.endpoints = {
        "ours": delivery.register(ours, receiver.url, description="qqpublished endpoint")[0],
        "theirs": delivery.register(theirs, receiver.url)[0],
    }

    land = _write("jurisdiction", {"code": "QQ", "name": "Qqpublished land", "kind": "country"})
    gone = _write("jurisdiction", {"code": "QR", "name": "Qqretired land", "kind": "country"})
    _retire("jurisdiction", gone)

    law = _instrument(
        "published",
        "qqpublished-law",
        "Qqpublished AI act",
        land,
        [("entered_into_force", "2024-01-01")],
    )
    amending = _instrument(
        "published",
        "qqpublished-amending-act",
        "Qqpublished amending act",
        land,
        [("entered_into_force", "2024-01-01")],
    )
    duty = _duty(law, "qqpublished-duty", "qqpublished", "2025-01-01")
    retired_duty = _duty(law, "qqretired-duty", "qqretired", "2025-01-01")
    _retire("obligation", retired_duty)
    _duty(law, "qqended-duty", "qqended", "2024-06-01", "2025-01-01")
    amendment = _write(
        "amendment",
        {
            "key": "qqpublished-amendment",
            "kind": "amends",
            "source_instrument": amending.pk,
            "target_instrument": law.pk,
            "effective_on": "2024-06-01",
            "effective_on_precision": "day",
            "provenance": "editorial",
            "effects": [],
        },
    )
    retired_amendment = _write(
        "amendment",
        {
            "key": "qqretired-amendment",
            "kind": "amends",
            "source_instrument": amending.pk,
            "target_instrument": law.pk,
            "effective_on": "2024-07-01",
            "effective_on_precision": "day",
            "provenance": "editorial",
            "effects": [],
        },
    )
    _retire("amendment", retired_amendment)
    retired_law = _instrument(
        "retired", "qqretired-law", "Qqretired AI act", land, [("entered_into_force", "2024-01-01")]
    )
    retired_child = _duty(retired_law, "qqretired-child", "qqretired", "2025-01-01")
    _retire("instrument", retired_law)
    ended_law = _instrument(
        "ended",
        "qqended-law",
        "Qqended AI act",
        land,
        [("entered_into_force", "2023-01-01"), ("repealed", "2025-01-01")],
    )
    # Repealed in 2025: its obligations ended with it.
    _duty(ended_law, "qqended-law-duty", "qqended", "2023-06-01")
    assert retired_child.retired_at is None  # retired with its instrument only

    # Work in cases: a new instrument, obligation and jurisdiction being drafted, and
    # edits of the published rows waiting for review. None of it is published.
    editor = world.users["editor"]
    drafting = move(
        services.case_open(title="Drafting qqdraft", kind="correction", created_by=editor),
        editor,
        State.TRIAGED,
        State.IN_PROGRESS,
    )
    propose = services.change_propose
    propose(
        case=drafting,
        actor=editor,
        target="instrument",
        action="create",
        values={
            "slug": "qqdraft-law",
            "title": "Qqdraft AI act",
            "summary": "Qqdraft AI act, about AI systems: vxdraft.",
            "kind": "law",
            "jurisdiction": {"code": "QQ"},
            "legal_force": "binding",
        },
    )
    propose(
        case=drafting,
        actor=editor,
        target="obligation",
        action="create",
        values={
            "instrument": law.pk,
            "key": "qqdraft-duty",
            "provision": "Article qqdraft",
            "addressee": "provider",
            "requirement": "Providers keep a qqdraft register of AI systems (vxdraft).",
            "applies_from": "2025-01-01",
        },
    )
    propose(
        case=drafting,
        actor=editor,
        target="amendment",
        action="create",
        values={
            "key": "qqdraft-amendment",
            "kind": "amends",
            "source_instrument": amending.pk,
            "target_instrument": law.pk,
            "summary": "Qqdraft amendment: vxdraft.",
            "provenance": "editorial",
        },
    )
    propose(
        case=drafting,
        actor=editor,
        target="jurisdiction",
        action="create",
        values={"code": "QD", "name": "Qqdraft land", "kind": "country"},
    )
    reviewing = move(
        services.case_open(title="Edits qqproposed", kind="correction", created_by=editor),
        editor,
        State.TRIAGED,
        State.IN_PROGRESS,
    )
    propose(
        case=reviewing,
        actor=editor,
        target="instrument",
        action="update",
        row=law,
        values={"summary": "Qqproposed summary of the act: vxproposed."},
    )
    propose(
        case=reviewing,
        actor=editor,
        target="obligation",
        action="update",
        row=duty,
        values={"requirement": "Providers keep a qqproposed register (vxproposed)."},
    )
    propose(
        case=reviewing,
        actor=editor,
        target="amendment",
        action="update",
        row=amendment,
        values={"summary": "Qqproposed amendment summary: vxproposed."},
    )
    propose(
        case=reviewing,
        actor=editor,
        target="jurisdiction",
        action="update",
        row=land,
        values={"summary": "Qqproposed land summary: vxproposed."},
    )
    move(reviewing, editor, State.IN_REVIEW)

    world.rows = {
        "published": {
            "instrument": law.slug,
            "obligation": f"{law.slug}:{duty.key}",
            "jurisdiction": "QQ",
            "amendment": "qqpublished-amendment",
        },
        "retired": {
            "instrument": retired_law.slug,
            "obligation": f"{law.slug}:qqretired-duty",
            "jurisdiction": "QR",
            "amendment": "qqretired-amendment",
        },
        "draft": {
            "instrument": "qqdraft-law",
            "obligation": f"{law.slug}:qqdraft-duty",
            "jurisdiction": "QD",
            "amendment": "qqdraft-amendment",
        },
        # The proposed edits are of the published rows: their pages must not show them.
        "proposed": {
            "instrument": law.slug,
            "obligation": f"{law.slug}:{duty.key}",
            "jurisdiction": "QQ",
            "amendment": "qqpublished-amendment",
        },
        "ended": {
            "instrument": ended_law.slug,
            "obligation": f"{law.slug}:qqended-duty",
            "jurisdiction": "QQ",
            "amendment": "qqpublished-amendment",
        },
    }

    # What the readers follow and keep: everything in Qqpublished land.
    for name in ("reader", "editor", "reviewer", "another user", "deactivated"):
        user = world.users[name]
        reader = Reader.objects.create(user=user)
        world.tokens[name] = reader.calendar_token
        if name == "another user":
            continue  # follows nothing: what the others follow is theirs
        Watch.objects.create(user=user, kind="jurisdiction", value="QQ", label="Qqpublished land")
        world.profiles[name] = SavedProfile.objects.create(
            user=user, name="Qqland", markets=["QQ"], roles=["provider"]
        ).pk
    deactivated = world.users["deactivated"]
    deactivated.is_active = False
    deactivated.save(update_fields=["is_active"])

    # A bulk snapshot of the record as it now stands (settings.SNAPSHOTS_DIR: the fixture's).
    from apps.api import snapshots

    world.snapshot = snapshots.cut().name

    # What our endpoint is sent: every change since it was registered, in batches.
    assert delivery.deliver(world.endpoints["ours"].pk).state == "delivered"
    world.delivered = [hit.body.decode() for hit in receiver.received]
    return world
