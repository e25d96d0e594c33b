"""Administrators invite staff by email; the link sets a password once, within its days."""

from __future__ import annotations

import time

import pytest
from django.core import mail
from django.urls import reverse

from apps.accounts import invitations
from tests.accounts.helpers import link_path

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_run_inline")]

NEW_PASSWORD = "a-long-new-password-42"


def _invite(client, superuser, django_capture_on_commit_callbacks, **fields):
    client.force_login(superuser)
    data = {"email": "ada@firm.example", "username": "ada", "first_name": "Ada", **fields}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:auth_user_invite"), data)
    client.logout()
    return response


def test_an_administrator_invites_a_person_who_is_emailed_a_link(
    client, superuser, django_user_model, django_capture_on_commit_callbacks, settings
):
    client.force_login(superuser)
    page = client.get(reverse("admin:auth_user_changelist"))
    assert reverse("admin:auth_user_invite") in page.content.decode()

    response = _invite(client, superuser, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    ada = django_user_model.objects.get(username="ada")
    assert ada.email == "ada@firm.example" and ada.is_active and not ada.is_staff
    assert not ada.has_usable_password()
    [message] = mail.outbox
    assert message.to == ["ada@firm.example"]
    assert "invited" in message.subject.lower()
    assert f"within {settings.ACCOUNTS_INVITE_DAYS} days" in message.body
    assert link_path(message.body, settings.SITE_URL).startswith("/accounts/invitation/")


def test_the_invitation_gives_the_roles_the_administrator_chose(
    client, superuser, django_user_model, django_capture_on_commit_callbacks
):
    from django.contrib.auth.models import Group

    editor = Group.objects.get(name="editor")
    _invite(
        client, superuser, django_capture_on_commit_callbacks, is_staff="on", groups=[editor.pk]
    )
    ada = django_user_model.objects.get(username="ada")
    assert ada.is_staff and list(ada.groups.all()) == [editor]


def test_the_link_sets_the_password_and_signs_in_once(
    client, superuser, django_user_model, django_capture_on_commit_callbacks, settings
):
    _invite(client, superuser, django_capture_on_commit_callbacks)
    link = link_path(mail.outbox[0].body, settings.SITE_URL)

    assert client.get(link).status_code == 200
    response = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert response.status_code == 302
    ada = django_user_model.objects.get(username="ada")
    assert ada.check_password(NEW_PASSWORD)
    assert client.session["_auth_user_id"] == str(ada.pk)

    client.logout()
    again = client.get(link)
    assert again.status_code == 410
    assert "used already" in again.content.decode()
    other = "x-other-pw-777"
    replay = client.post(link, {"new_password1": other, "new_password2": other})
    assert replay.status_code == 410
    ada.refresh_from_db()
    assert ada.check_password(NEW_PASSWORD)


def test_a_weak_password_is_refused_and_the_link_still_works(
    client, superuser, django_user_model, django_capture_on_commit_callbacks, settings
):
    _invite(client, superuser, django_capture_on_commit_callbacks)
    link = link_path(mail.outbox[0].body, settings.SITE_URL)

    response = client.post(link, {"new_password1": "12345678", "new_password2": "12345678"})

    assert response.status_code == 200
    assert not django_user_model.objects.get(username="ada").has_usable_password()
    assert "_auth_user_id" not in client.session
    assert client.get(link).status_code == 200


@pytest.mark.parametrize(
    ("age_days", "works"), [(0, True), (6.99, True), (7.01, False), (30, False)]
)
def test_a_link_works_for_the_invitation_days_and_is_refused_after(
    client, django_user_model, monkeypatch, settings, age_days, works
):
    settings.ACCOUNTS_INVITE_DAYS = 7
    ada = django_user_model.objects.create_user("ada", "ada@firm.example")
    ada.set_unusable_password()
    ada.save()
    now = time.time()
    # The token's timestamp is the signer's clock when it was made.
    monkeypatch.setattr("django.core.signing.time.time", lambda: now - age_days * 86400)
    token = invitations.make_token(ada)
    monkeypatch.setattr("django.core.signing.time.time", lambda: now)

    response = client.get(reverse("accept-invitation", kwargs={"token": token}))

    if works:
        assert response.status_code == 200
    else:
        assert response.status_code == 410
        assert "has expired" in response.content.decode()
        assert "links work for 7 days" in response.content.decode()


def test_a_new_invitation_retires_the_earlier_link(
    client, superuser, django_user_model, django_capture_on_commit_callbacks, settings
):
    _invite(client, superuser, django_capture_on_commit_callbacks)
    first = link_path(mail.outbox[0].body, settings.SITE_URL)
    ada = django_user_model.objects.get(username="ada")

    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:auth_user_changelist"),
            {"action": "send_new_invitation", "_selected_action": [ada.pk]},
        )
    client.logout()

    second = link_path(mail.outbox[1].body, settings.SITE_URL)
    refused = client.get(first)
    assert refused.status_code == 410
    assert "newer invitation" in refused.content.decode()
    assert client.get(second).status_code == 200


def test_no_new_invitation_goes_to_someone_who_has_accepted(
    client, superuser, staff_user, django_capture_on_commit_callbacks
):
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:auth_user_changelist"),
            {"action": "send_new_invitation", "_selected_action": [staff_user.pk]},
        )
    assert mail.outbox == []
    staff_user.refresh_from_db()
    assert staff_user.check_password("pw-staff-123")


def test_a_mangled_link_is_refused_as_invalid(client):
    response = client.get(reverse("accept-invitation", kwargs={"token": "not-a-token"}))
    assert response.status_code == 400
    assert "not a valid invitation" in response.content.decode()


def test_only_those_who_may_add_users_may_invite(client, staff_user, django_user_model):
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:auth_user_invite"), {"email": "eve@x.example", "username": "eve"}
    )
    assert response.status_code == 403
    assert not django_user_model.objects.filter(username="eve").exists()
    assert mail.outbox == []


def test_an_address_or_name_already_in_use_is_refused(
    client, superuser, staff_user, django_capture_on_commit_callbacks
):
    response = _invite(
        client, superuser, django_capture_on_commit_callbacks, email="STAFF@example.org"
    )
    assert response.status_code == 200
    assert "exists already" in response.content.decode()
    response = _invite(client, superuser, django_capture_on_commit_callbacks, username="Staff")
    assert "is taken" in response.content.decode()
    assert mail.outbox == []
