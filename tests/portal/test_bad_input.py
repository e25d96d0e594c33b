"""Input PostgreSQL cannot hold (a NUL character) is a 400 page on the portal, never a
500, signed in or not (issue 24, item 4)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

ADDRESSES = [
    "/search/?q=a%00",
    "/search/export/?q=a%00&as=csv",
    "/jurisdictions/E%00U/",
    "/instruments/eu%00/",
    "/compare/?jurisdiction=EU&jurisdiction=U%00S",
    "/what-applies/?market=D%00E",
]


@pytest.mark.parametrize("address", ADDRESSES)
def test_a_nul_character_is_a_bad_request_page(signed_in, address):
    response = signed_in.get(address)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_the_calendar_refuses_a_nul_token_without_a_sign_in(client):
    assert client.get("/calendar/%00.ics").status_code == 400
