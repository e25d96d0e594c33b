"""Every reader surface, read by every identity, over a row in every state: who gets
in, and what each sees (the table: tests/visibility/surfaces.py; the rows:
tests/visibility/world.py, written once for the module)."""

from __future__ import annotations

import gzip
import json

import pytest
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from tests.visibility.surfaces import (
    IDENTITIES,
    KEYS,
    LOGIN,
    NA,
    NOT_READ,
    SESSIONS,
    SURFACES,
    Surface,
)
from tests.visibility.world import MARKS, STATES, World

pytestmark = pytest.mark.django_db

CASES = [
    pytest.param(surface, identity, id=f"{surface.name} | {identity}")
    for surface in SURFACES
    for identity in IDENTITIES
    if surface.access[identity] != NA
]


def _client(world: World, identity: str) -> APIClient:
    client = APIClient()
    if identity in KEYS:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {world.keys[identity]}")
    elif identity in SESSIONS:
        client.force_login(world.users[identity])
    return client


def _read(client: APIClient, path: str) -> tuple[int, str, str]:
    """Status, body and where it redirects; an API list is read to its last page."""
    response = client.get(path)
    status, location = response.status_code, response.get("Location", "")
    if response.streaming:  # a snapshot's file, gzipped
        body = b"".join(response.streaming_content)
        return status, gzip.decompress(body).decode().lower(), location
    texts = [response.content.decode()]
    while status == 200 and response["Content-Type"].startswith("application/json"):
        body = json.loads(texts[-1])
        if not isinstance(body, dict) or not body.get("next") or body.get("more") is False:
            break
        response = client.get(body["next"])
        assert response.status_code == 200, body["next"]
        texts.append(response.content.decode())
    return status, "".join(texts).lower(), location


def _expected(status: int, location: str, wanted) -> bool:
    if wanted == LOGIN:
        return status == 302 and location.startswith("/accounts/login/")
    return status == wanted


@pytest.mark.parametrize(("surface", "identity"), CASES)
def test_each_identity_reads_each_surface_as_the_table_says(
    world: World, surface: Surface, identity: str
):
    cache.clear()  # throttle counts: every case starts with a full budget
    client = _client(world, identity)
    wanted = surface.access[identity]
    read: dict[str, tuple[int, str, str]] = {}
    for state in STATES:
        path = surface.path(world, state, identity)
        if surface.route is None:
            read[state] = (200, "".join(world.delivered).lower(), "")
        elif path not in read:
            read[path] = _read(client, path)
        status, text, location = read[path] if surface.route else read[state]
        shown = surface.shows[state] and identity not in surface.strangers
        if wanted != 200 or shown:
            # Whatever the row asked for, a refusal is the same refusal.
            assert _expected(status, location, wanted), (state, path, status, location)
        if wanted != 200 or surface.shows[state] is None:
            continue
        mark = MARKS[state]
        if shown:
            assert mark in text, f"{surface}: the {state} row is not shown at {path}"
            continue
        # Not shown: not found (404, or 400 naming the parameter), or not on the page.
        assert status in (200, 400, 404), (state, path, status)
        if status == 200:
            assert mark not in text, f"{surface}: the {state} row is shown at {path}"
            if surface.selects:
                found = [m for m in MARKS.values() if m in text]
                assert not found, f"{surface}: looking for a {state} row finds {found}"
    # No page shows a state this surface must not show, whichever row it was asked for.
    hidden = [
        MARKS[s] for s in STATES if surface.shows[s] is False or identity in surface.strangers
    ]
    for key, (status, text, _) in read.items():
        if status == 200:
            leaked = [m for m in hidden if m in text]
            assert not leaked, f"{surface}: {key} shows {leaked}"


def _routes(patterns, namespace: str = "") -> set[str]:
    found: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            if inner == "admin":
                found.add("admin:*")
                continue
            found |= _routes(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            if pattern.name:
                found.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
            else:
                found.add(f"{namespace}:<unknown>" if namespace else str(pattern.pattern))
    return found


def test_every_route_is_a_surface_of_the_table_or_named_as_reading_no_record():
    routes = _routes(get_resolver().url_patterns)
    covered = {s.route for s in SURFACES if s.route} | set(NOT_READ)
    missing = sorted(routes - covered)
    assert not missing, (
        f"routes not in tests/visibility/surfaces.py: {missing}. A reader surface goes in "
        "SURFACES with who may read it and which row states it shows; anything else in "
        "NOT_READ with why."
    )
    assert not covered - routes, f"the table names routes that no longer exist: {covered - routes}"


def test_the_table_says_for_every_surface_what_each_identity_and_state_gets():
    for surface in SURFACES:
        assert set(surface.access) == set(IDENTITIES), surface
        assert set(surface.shows) == set(STATES), surface
