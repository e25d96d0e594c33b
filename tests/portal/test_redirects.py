"""Where the portal sends a reader back to: only its own pages (issue 24, item 2)."""

from __future__ import annotations

import pytest

from apps.cases.models import Case

pytestmark = pytest.mark.django_db

# What browsers take for another site: scheme-relative, backslashed, a scheme with no
# slashes, whitespace and control characters before the host, and encoded slashes.
OUTSIDE = [
    "//evil.example/x",
    "/\\evil.example/x",
    "\\\\evil.example/x",
    "https:evil.example",
    "http://evil.example/x",
    " //evil.example/x",
    "/\t/evil.example/x",
    "/\n/evil.example/x",
    "%2F%2Fevil.example/x",
    "///evil.example/x",
]


@pytest.mark.parametrize("page", OUTSIDE)
def test_a_report_neither_redirects_nor_records_another_site(signed_in, page):
    response = signed_in.post("/report/", {"page": page, "message": "The date is wrong."})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert Case.objects.get(kind="reader_request").evidence.get().url == ""


@pytest.mark.parametrize("path", ["/watchlist/follow/", "/watchlist/unfollow/"])
@pytest.mark.parametrize("target", OUTSIDE)
def test_following_sends_the_reader_back_only_to_this_site(signed_in, path, target):
    response = signed_in.post(path, {"kind": "instrument", "value": "eu-ai-act", "next": target})

    assert response.status_code == 302
    assert response["Location"] == "/watchlist/"


def test_a_page_of_this_site_is_where_the_reader_goes_back_to(signed_in):
    response = signed_in.post(
        "/watchlist/follow/",
        {"kind": "instrument", "value": "eu-ai-act", "next": "/instruments/eu-ai-act/?tab=1"},
    )
    assert response["Location"] == "/instruments/eu-ai-act/?tab=1"


@pytest.mark.parametrize(
    "target", ["/instruments\\eu-ai-act/", "/instruments/\x01eu-ai-act/", "/instruments/\x7f/"]
)
def test_a_path_holding_a_backslash_or_a_control_character_is_not_gone_back_to(signed_in, target):
    # Django's own check would take both for paths of this site (it reads a backslash
    # as a slash); browsers may not read them as this site's.
    response = signed_in.post(
        "/watchlist/follow/", {"kind": "instrument", "value": "eu-ai-act", "next": target}
    )
    assert response["Location"] == "/watchlist/"


def test_a_page_whose_address_holds_a_space_is_gone_back_to(signed_in):
    response = signed_in.post(
        "/watchlist/follow/",
        {"kind": "instrument", "value": "eu-ai-act", "next": "/search/?q=ai act"},
    )
    assert response["Location"] == "/search/?q=ai%20act"  # the redirect encodes it


def test_the_page_to_go_back_to_may_come_in_the_address(signed_in):
    response = signed_in.post(
        "/watchlist/unfollow/?next=/jurisdictions/EU/", {"kind": "instrument", "value": "x"}
    )
    assert response["Location"] == "/jurisdictions/EU/"
