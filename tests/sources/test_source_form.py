"""Saving a source: a private or non-http URL is refused by the model's validation
and by the admin form, with the reason an editor can act on.

The rules themselves are tests/sources/test_address_guard.py's; these need the
database, so `make mutate` leaves them out of its selection (tests/MUTATION.md).
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from apps.sources.admin import SourceAdmin
from apps.sources.models import Source
from tests.sources.test_address_guard_in_use import NOT_PUBLIC, REFUSED_SOURCE_URLS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("url", "message"), REFUSED_SOURCE_URLS)
def test_a_source_with_a_private_or_non_http_url_does_not_validate(url: str, message: str) -> None:
    source = Source(name="Somewhere", url=url, kind="html")

    with pytest.raises(ValidationError) as invalid:
        source.full_clean()

    assert any(message in text for text in invalid.value.message_dict["url"])


def test_a_source_with_a_public_url_validates() -> None:
    Source(
        name="Federal Register",
        url="https://www.federalregister.gov/api/v1/documents.json",
        kind="json",
    ).full_clean()


def source_admin_form(url: str, superuser):
    """The add form of the Source admin, bound to what an editor would post."""
    request = RequestFactory().get("/admin/sources/source/add/")
    request.user = superuser
    form_class = SourceAdmin(Source, admin.site).get_form(request)
    return form_class(
        data={
            "name": "Somewhere",
            "url": url,
            "kind": "html",
            "selector": "",
            "ignore": "",
            "adapter": "",
            "check_interval_minutes": "360",
            "active": "on",
        }
    )


# Django's own URL check answers first for hosts and schemes it finds malformed.
ADMIN_REFUSED = [
    ("http://127.0.0.1/", NOT_PUBLIC),
    ("http://[::1]/", NOT_PUBLIC),
    ("127.0.0.1", NOT_PUBLIC),  # a bare host is read as https://127.0.0.1
    ("http://127.0.0.1./", "Enter a valid URL."),
    ("file:///etc/passwd", "Enter a valid URL."),
]


@pytest.mark.parametrize(("url", "message"), ADMIN_REFUSED)
def test_the_source_admin_form_refuses_a_private_or_non_http_url(
    url: str, message: str, superuser
) -> None:
    form = source_admin_form(url, superuser)

    assert not form.is_valid()
    assert set(form.errors) == {"url"}
    assert any(message in text for text in form.errors["url"])


def test_the_source_admin_form_accepts_a_public_url(superuser) -> None:
    form = source_admin_form("https://www.federalregister.gov/api/v1/documents.json", superuser)

    assert form.is_valid(), form.errors


def test_the_source_admin_form_accepts_a_local_url_only_when_the_setting_allows_it(
    superuser, settings
) -> None:
    settings.SOURCES_ALLOW_PRIVATE = True
    assert source_admin_form("http://127.0.0.1:8000/page", superuser).is_valid()
    assert not source_admin_form("file:///etc/passwd", superuser).is_valid()

    settings.SOURCES_ALLOW_PRIVATE = False
    assert not source_admin_form("http://127.0.0.1:8000/page", superuser).is_valid()
