"""Every page, portal and admin, carries the CSP; no page needs inline script."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: sources for name, *sources in directives}


def _inline_code(html: str) -> list[str]:
    """Script a browser would run from the page itself, which the policy forbids."""
    return [
        *re.findall(r"<script\b(?![^>]*\bsrc=)[^>]*>", html),
        *re.findall(r"<[^>]+\son[a-z]+\s*=", html),
        *re.findall(r"""href=["']\s*javascript:""", html),
    ]


def _inline_style(html: str) -> list[str]:
    """Styles in the page itself, which style-src 'self' also forbids."""
    return [*re.findall(r"<style\b[^>]*>", html), *re.findall(r"<[^>]+\sstyle\s*=", html)]


PORTAL_PAGES = ["login", "password_reset", "password_reset_done", "password_reset_complete"]


@pytest.mark.parametrize("url_name", PORTAL_PAGES)
def test_account_pages_carry_the_policy_and_no_inline_script(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert _policy(response) == POLICY
    assert _inline_code(response.content.decode()) == []


ADMIN_PAGES = [
    ("admin:index", []),
    ("admin:auth_user_changelist", []),
    ("admin:auth_user_add", []),
    ("admin:auth_user_invite", []),
    ("admin:auth_group_changelist", []),
]


@pytest.mark.parametrize(("url_name", "args"), ADMIN_PAGES)
def test_admin_pages_carry_the_policy_and_no_inline_script(client, superuser, url_name, args):
    client.force_login(superuser)
    response = client.get(reverse(url_name, args=args))
    assert response.status_code == 200
    policy = _policy(response)
    assert policy == POLICY
    assert "'unsafe-inline'" not in policy["script-src"]
    html = response.content.decode()
    assert _inline_code(html) == []
    assert _inline_style(html) == []


def _admin_pages():
    """Every registered model's list, add form and (for a seeded row) change form."""
    from django.contrib import admin

    for model in admin.site._registry:
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        yield reverse(f"{name}_changelist")
        yield reverse(f"{name}_add")
        row = model._default_manager.order_by("pk").first()
        if row is not None:
            yield reverse(f"{name}_change", args=[row.pk])


def test_no_admin_list_or_form_needs_inline_script_or_style(client, superuser):
    client.force_login(superuser)
    offending = {}
    for url in _admin_pages():
        response = client.get(url)
        if response.status_code == 403:  # read-only models have no add form
            continue
        assert response.status_code == 200, url
        html = response.content.decode()
        found = _inline_code(html) + _inline_style(html)
        if found:
            offending[url] = found
    assert offending == {}


def test_the_admin_case_page_needs_no_inline_script_or_style(client, cast):
    from apps.cases import services

    case = services.case_open(title="Page", kind="correction", created_by=cast["editor"])
    client.force_login(cast["editor"])
    response = client.get(reverse("admin:cases_case_change", args=[case.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert _inline_code(html) + _inline_style(html) == []


def test_the_admin_sign_in_page_carries_the_policy(client):
    response = client.get(reverse("admin:login"))
    assert _policy(response) == POLICY
    assert _inline_code(response.content.decode()) == []


def test_the_lockout_page_carries_the_policy(client, staff_user):
    for _ in range(5):
        response = client.post(reverse("login"), {"username": "staff", "password": "wrong"})
    assert response.status_code == 429
    assert _policy(response) == POLICY
