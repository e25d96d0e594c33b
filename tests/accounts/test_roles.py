"""The role groups and what code asks of them (apps/accounts/roles.py).

The groups are written after every migrate, so a test database made once with
--reuse-db never runs ensure_roles again: these tests call it themselves.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission

from apps.accounts.roles import (
    ADMINISTRATOR,
    EDITOR,
    REVIEWER,
    ROLE_PERMISSIONS,
    can_review,
    can_work,
    ensure_roles,
)

pytestmark = pytest.mark.django_db


def _granted(name: str) -> set[str]:
    perms = Group.objects.get(name=name).permissions.select_related("content_type")
    return {f"{p.content_type.app_label}.{p.codename}" for p in perms}


def _member(django_user_model, role: str, **extra):
    user = django_user_model.objects.create_user(f"{role}-{len(extra)}", **extra)
    user.groups.add(Group.objects.get(name=role))
    return django_user_model.objects.get(pk=user.pk)  # a fresh permission cache


def test_every_role_reads_every_curated_model_and_child_in_the_admin() -> None:
    for role in (EDITOR, REVIEWER, ADMINISTRATOR):
        assert {
            "jurisdictions.view_jurisdiction",
            "jurisdictions.view_membership",
            "instruments.view_instrument",
            "instruments.view_instrumentparty",
            "obligations.view_obligation",
            "obligations.view_penalty",
            "amendments.view_amendment",
            "amendments.view_effect",
            "cases.view_case",
        } <= set(ROLE_PERMISSIONS[role])


def test_ensure_roles_creates_a_missing_group_with_exactly_its_permissions() -> None:
    Group.objects.filter(name=REVIEWER).delete()

    ensure_roles()

    assert _granted(REVIEWER) == set(ROLE_PERMISSIONS[REVIEWER])


def test_ensure_roles_repairs_each_group_to_its_permissions_and_no_more() -> None:
    editor = Group.objects.get(name=EDITOR)
    editor.permissions.remove(Permission.objects.get(codename="work_case"))
    editor.permissions.add(Permission.objects.get(codename="review_case"))
    Group.objects.get(name=ADMINISTRATOR).permissions.clear()

    ensure_roles()

    for role in (EDITOR, REVIEWER, ADMINISTRATOR):
        assert _granted(role) == set(ROLE_PERMISSIONS[role]), role


def test_ensure_roles_skips_a_permission_that_does_not_exist_yet(monkeypatch) -> None:
    monkeypatch.setitem(ROLE_PERMISSIONS, EDITOR, ["cases.work_case", "cases.no_such_thing"])

    ensure_roles()

    assert _granted(EDITOR) == {"cases.work_case"}


def test_an_editor_works_cases_and_a_reviewer_also_reviews_them(django_user_model) -> None:
    editor = _member(django_user_model, EDITOR)
    reviewer = _member(django_user_model, REVIEWER)

    assert (can_work(editor), can_review(editor)) == (True, False)
    assert (can_work(reviewer), can_review(reviewer)) == (True, True)


def test_a_deactivated_member_and_a_visitor_may_neither_work_nor_review(
    django_user_model,
) -> None:
    gone = _member(django_user_model, REVIEWER, is_active=False)
    reader = django_user_model.objects.create_user("reader-without-role")

    for user in (gone, AnonymousUser(), reader):
        assert (can_work(user), can_review(user)) == (False, False)


def test_a_permission_of_the_same_name_in_another_app_is_never_granted() -> None:
    from django.contrib.contenttypes.models import ContentType

    # Sorted before "cases", so a lookup by codename alone would find it first.
    elsewhere = ContentType.objects.create(app_label="aardvark", model="case")
    Permission.objects.create(codename="work_case", name="Work", content_type=elsewhere)

    ensure_roles()

    assert "aardvark.work_case" not in _granted(EDITOR)
    assert "cases.work_case" in _granted(EDITOR)


def test_a_models_view_permission_is_named_from_its_label() -> None:
    from apps.accounts.roles import _view

    # Called here: the role lists are built once, when the module is imported.
    assert _view("instruments.InstrumentParty") == "instruments.view_instrumentparty"
