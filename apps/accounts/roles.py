"""Roles are groups with permissions; code asks about permissions, not group names.

editor         works cases: triage, take, propose changes, submit for review
reviewer       everything an editor does, plus return, approve and publish
administrator  everything, including the escape hatch of direct edits
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, Permission

from apps.record.registry import REGISTRY

EDITOR, REVIEWER, ADMINISTRATOR = "editor", "reviewer", "administrator"

WORK = "cases.work_case"
REVIEW = "cases.review_case"


def _view(label: str) -> str:
    app_label, model = label.split(".")
    return f"{app_label}.view_{model.lower()}"


# Read access to the record in the admin, for every role: every curated model
# and child of the registry, and what cases and the watcher keep.
_VIEW = [
    *(_view(kind.label) for kind in REGISTRY.values()),
    *(_view(child.label) for kind in REGISTRY.values() for child in kind.children),
    "core.view_citation",
    "cases.view_case",
    "record.view_appliedchange",
    "sources.view_source",
    "sources.view_snapshot",
    "sources.view_change",
]
ROLE_PERMISSIONS: dict[str, list[str]] = {
    EDITOR: [*_VIEW, WORK],
    REVIEWER: [*_VIEW, WORK, REVIEW],
    ADMINISTRATOR: [
        *_VIEW,
        WORK,
        REVIEW,
        "cases.administer_case",
        "sources.add_source",
        "sources.change_source",
    ],
}

User = AbstractBaseUser | AnonymousUser


def can_work(user: User) -> bool:
    return bool(user.is_active and user.has_perm(WORK))


def can_review(user: User) -> bool:
    return bool(user.is_active and user.has_perm(REVIEW))


def ensure_roles(**_: object) -> None:
    """Create or repair the role groups (runs after every migrate)."""
    for name, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            found = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if found is not None:
                wanted.append(found)
        group.permissions.set(wanted)
