"""The audit trail's move from apps.cases to apps.record keeps every row and id.

The migrations run backward to the state before the move, rows are written there
with the historical models (a case, its proposal, its applied changes, a digest
entry that points at one, a role holding the audit trail's view permission), then
forward again and back again: each time every row is read back with the same id
and the same values, and the permission keeps its id.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("cases", "0005_case_public_reason"),
    ("portal", "0001_watchlists"),
    ("record", None),
]


MOVED = {app for app, _ in BEFORE}


def _migrate(targets):
    """Migrate to `targets`; the historical models of the whole database then."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    others = [leaf for leaf in executor.loader.graph.leaf_nodes() if leaf[0] not in MOVED]
    nodes = [t for t in targets if t[1]] + (others if targets is BEFORE else [])
    return executor.loader.project_state(nodes).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def _audit_rows(apps, label):
    model = apps.get_model(label, "AppliedChange")
    return sorted(
        model.objects.values_list("id", "target", "action", "row_id", "case_id", "after", "reason")
    )


def _table_names():
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


@pytest.fixture
def latest():
    leaves = _latest()
    yield leaves
    _migrate(leaves)  # whatever happened, the rest of the suite runs on the current schema


def test_the_move_keeps_every_audit_row_and_id_forward_and_back(latest):
    old = _migrate(BEFORE)
    assert "cases_appliedchange" in _table_names()
    assert "record_appliedchange" not in _table_names()

    User = old.get_model("auth", "User")
    Case = old.get_model("cases", "Case")
    ProposedChange = old.get_model("cases", "ProposedChange")
    Applied = old.get_model("cases", "AppliedChange")
    DigestEntry = old.get_model("portal", "DigestEntry")
    Group = old.get_model("auth", "Group")
    Permission = old.get_model("auth", "Permission")
    ContentType = old.get_model("contenttypes", "ContentType")

    editor = User.objects.create(username="mover", password="!")
    case = Case.objects.create(title="Revocation", kind="correction", state="published")
    proposal = ProposedChange.objects.create(
        case=case, target="instrument", action="update", row_id=7, base_version=1, values={}
    )
    first = Applied.objects.create(
        target="instrument",
        action="update",
        row_id=7,
        version=2,
        before={"title": "Old"},
        after={"title": "New"},
        origin="case",
        case=case,
        approver=editor,
    )
    Applied.objects.create(target="amendment", action="create", row_id=3, after={}, origin="seed")
    entry = DigestEntry.objects.create(user=editor, change=first)
    audit_type, _ = ContentType.objects.get_or_create(app_label="cases", model="appliedchange")
    view, _ = Permission.objects.get_or_create(
        content_type=audit_type, codename="view_appliedchange", defaults={"name": "view"}
    )
    role = Group.objects.create(name="auditors")
    role.permissions.add(view)
    before = _audit_rows(old, "cases")
    assert len(before) >= 2

    new = _migrate(latest)
    assert "record_appliedchange" in _table_names()
    assert "cases_appliedchange" not in _table_names()
    # Every row keeps its id and content; later data migrations (which record what they
    # change, as the pending amendments' one does) may only add rows after them.
    after = _audit_rows(new, "record")
    newest = max(row[0] for row in before)
    assert [row for row in after if row[0] <= newest] == before
    assert new.get_model("portal", "DigestEntry").objects.get(pk=entry.pk).change_id == first.pk
    assert new.get_model("cases", "ProposedChange").objects.get(pk=proposal.pk).case_id == case.pk
    moved = new.get_model("auth", "Permission").objects.get(pk=view.pk)
    assert (moved.content_type.app_label, moved.codename) == ("record", "view_appliedchange")
    assert new.get_model("auth", "Group").objects.get(pk=role.pk).permissions.count() == 1
    # New rows continue the same sequence: no id is handed out twice.
    Moved = new.get_model("record", "AppliedChange")
    fresh = Moved.objects.create(target="instrument", action="update", row_id=7, origin="system")
    assert fresh.pk > max(row[0] for row in after)

    old = _migrate(BEFORE)
    back_rows = _audit_rows(old, "cases")
    assert [row for row in back_rows if row[0] <= newest] == before
    assert all(row in back_rows for row in _audit_rows_of(old, fresh.pk))
    back = old.get_model("auth", "Permission").objects.get(pk=view.pk)
    assert back.content_type.app_label == "cases"


def _audit_rows_of(apps, pk):
    model = apps.get_model("cases", "AppliedChange")
    return list(
        model.objects.filter(pk=pk).values_list(
            "id", "target", "action", "row_id", "case_id", "after", "reason"
        )
    )
