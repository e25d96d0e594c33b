"""The address guard where the source watcher relies on it: the validator of a Source's
URL (what an editor is told when saving one) and redirects, each hop judged again.

The guard's own rules are tests/sources/test_address_guard.py.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from apps.core.addresses import AddressRefused
from apps.sources.fetching import fetch
from apps.sources.models import validate_source_url
from tests.sources.test_fetching import PUBLIC_IP, dns, reply, serve
from tests.sources.test_fetching import routed_network as routed_network  # a fixture

NOT_PUBLIC = "is not a public address"
ONLY_HTTP = "only http and https URLs are fetched"


# The URL field's validator: what an editor is told when saving a source
# (tests/sources/test_source_form.py saves through the model and the admin form).

REFUSED_SOURCE_URLS = [
    ("http://127.0.0.1/", NOT_PUBLIC),
    ("http://[::1]/", NOT_PUBLIC),
    ("http://127.0.0.1./", NOT_PUBLIC),
    ("file:///etc/passwd", ONLY_HTTP),
]
PRIVATE_SOURCE_URLS = [url for url, reason in REFUSED_SOURCE_URLS if reason == NOT_PUBLIC]


@pytest.mark.parametrize(("url", "message"), REFUSED_SOURCE_URLS)
def test_the_source_url_validator_refuses_with_the_reason(url: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        validate_source_url(url)


@pytest.mark.parametrize("url", PRIVATE_SOURCE_URLS)
def test_the_validator_lets_private_addresses_pass_when_the_setting_allows_them(
    url: str, settings
) -> None:
    settings.SOURCES_ALLOW_PRIVATE = True

    validate_source_url(url)


def test_the_validator_refuses_a_file_url_even_when_private_addresses_are_allowed(
    settings,
) -> None:
    settings.SOURCES_ALLOW_PRIVATE = True

    with pytest.raises(ValidationError, match=ONLY_HTTP):
        validate_source_url("file:///etc/passwd")


# Redirects: every status fetch follows is judged again at the next hop.


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:{port}/secret",
        "http://127.0.0.1.:{port}/secret",
        "http://inside.example:{port}/secret",
        "http://169.254.169.254/latest/meta-data/",
    ],
)
def test_it_refuses_a_redirect_of_any_kind_to_a_private_address(
    status: int, target: str, routed_network
) -> None:
    with serve({"/secret": lambda h: reply(h, 200, b"secret")}) as private_site:
        location = target.format(port=private_site.port)
        routes = {"/start": lambda h: reply(h, status, headers={"Location": location})}
        with serve(routes) as public_site:
            calls = routed_network(public_site.port)
            resolver = dns({"public.example": [PUBLIC_IP], "inside.example": ["127.0.0.1"]})

            with pytest.raises(AddressRefused) as refused:
                fetch("http://public.example/start", resolver=resolver)

        assert refused.value.reason == "refused"

        assert public_site.paths == ["/start"]
        assert private_site.requests == []
        assert calls == [(PUBLIC_IP, 80)]


@pytest.mark.parametrize("status", [307, 308])
def test_it_follows_a_307_or_308_redirect_to_a_public_address(status: int, routed_network) -> None:
    routes = {
        "/start": lambda h: reply(h, status, headers={"Location": "/moved"}),
        "/moved": lambda h: reply(h, 200, b"moved here"),
    }
    with serve(routes) as public_site:
        routed_network(public_site.port)

        result = fetch("http://public.example/start", resolver=dns({"public.example": [PUBLIC_IP]}))

    assert result.body == b"moved here"
    assert result.url == "http://public.example/moved"
    assert public_site.paths == ["/start", "/moved"]
