"""Password reset by email, through Django's views: the link arrives, works, and works once."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from tests.accounts.helpers import link_path

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_run_inline")]

NEW_PASSWORD = "a-long-new-password-42"


def _ask(client, email, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("password_reset"), {"email": email})


def test_the_sign_in_page_offers_a_reset(client):
    response = client.get(reverse("login"))
    assert reverse("password_reset") in response.content.decode()


def test_a_reset_link_arrives_by_email_and_sets_a_new_password(
    client, staff_user, django_capture_on_commit_callbacks, settings
):
    response = _ask(client, "staff@example.org", django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    [message] = mail.outbox
    assert message.to == ["staff@example.org"]
    link = link_path(message.body, settings.SITE_URL)
    assert '"staff"' in message.body

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done.url == reverse("password_reset_complete")

    staff_user.refresh_from_db()
    assert staff_user.check_password(NEW_PASSWORD)
    signed_in = client.post(reverse("login"), {"username": "staff", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302

    client.logout()
    used = client.get(link, follow=True)
    assert not used.context["validlink"]
    assert "no longer works" in used.content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_mail(
    client, staff_user, django_capture_on_commit_callbacks
):
    response = _ask(client, "nobody@example.org", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []


def test_a_pending_invitee_gets_no_reset_link(
    client, django_user_model, django_capture_on_commit_callbacks
):
    # Their way in is the invitation: a reset would let anyone with their mailbox skip it.
    django_user_model.objects.create_user("ada", "ada@firm.example")  # no usable password
    _ask(client, "ada@firm.example", django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_the_reset_link_is_built_on_the_site_url_not_the_request_host(
    client, staff_user, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://tracker.example.org"
    settings.ALLOWED_HOSTS = ["testserver", "attacker.example"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("password_reset"),
            {"email": "staff@example.org"},
            headers={"host": "attacker.example"},
        )
    [message] = mail.outbox
    assert "https://tracker.example.org/accounts/reset/" in message.body
    assert "attacker.example" not in message.body
