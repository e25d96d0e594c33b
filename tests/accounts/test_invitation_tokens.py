"""An invitation's token and mail, read directly (apps/accounts/invitations.py): which
links are refused and why, and what the mail says. test_invitations.py goes through
the admin and the acceptance page.
"""

from __future__ import annotations

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError

from apps.accounts import invitations
from apps.accounts.invitations import InvitationRefused, Refusal, invite, invitee, make_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_run_inline")]


@pytest.fixture
def pending(django_user_model):
    user = django_user_model.objects.create_user("ada", "ada@firm.example")
    user.set_unusable_password()
    user.save()
    return user


def _refusal(token: str) -> Refusal:
    with pytest.raises(InvitationRefused) as refused:
        invitee(token)
    assert str(refused.value) == refused.value.reason.value
    return refused.value.reason


def test_a_pending_invitees_token_names_them(pending) -> None:
    assert invitee(make_token(pending)) == pending


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(["not", "a", "dict"], id="a signed list"),
        pytest.param({"s": "x"}, id="no user"),
        pytest.param({"u": 0, "s": "x"}, id="no such user"),
    ],
)
def test_a_token_signed_with_the_salt_but_naming_no_one_is_invalid(payload) -> None:
    assert _refusal(signing.dumps(payload, salt=invitations.SALT)) is Refusal.INVALID


def test_a_token_signed_for_another_purpose_is_invalid(pending) -> None:
    token = signing.dumps({"u": pending.pk, "s": invitations._state(pending)}, salt="other")

    assert _refusal(token) is Refusal.INVALID


def test_a_deactivated_invitees_link_is_invalid(pending) -> None:
    token = make_token(pending)
    pending.is_active = False
    pending.save()

    assert _refusal(token) is Refusal.INVALID


def test_a_token_without_the_accounts_state_counts_as_replaced(pending) -> None:
    token = signing.dumps({"u": pending.pk}, salt=invitations.SALT)

    assert _refusal(token) is Refusal.REPLACED


def test_a_used_link_is_refused_as_used(pending) -> None:
    token = make_token(pending)
    pending.set_password("a-long-new-password-42")
    pending.save()

    assert _refusal(token) is Refusal.USED


def test_the_state_in_a_token_changes_with_the_password_hash(pending) -> None:
    before = invitations._state(pending)
    pending.set_unusable_password()

    assert invitations._state(pending) != before
    assert len(before) == 20


def test_an_invitation_keeps_the_names_given_and_mails_one_link_on_the_site(
    superuser, settings, django_capture_on_commit_callbacks
) -> None:
    settings.SITE_URL = "https://tracker.example/"
    with django_capture_on_commit_callbacks(execute=True):
        user = invite(
            username="ada",
            email="ada@firm.example",
            first_name="Ada",
            last_name="Lovelace",
            is_staff=True,
            invited_by=superuser,
        )

    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.is_staff, user.is_active) == (
        "Ada",
        "Lovelace",
        True,
        True,
    )
    [message] = mail.outbox
    assert message.subject == "You are invited to the AI regulation tracker"
    assert message.to == ["ada@firm.example"]
    assert message.body.startswith("Hello Ada,")
    assert 'Your user name is "ada".' in message.body
    assert "root has invited you" in message.body
    # One slash between the site and the path, whatever SITE_URL ends with.
    [link] = [line for line in message.body.splitlines() if "/invitation/" in line]
    prefix = "https://tracker.example/accounts/invitation/"
    assert link.startswith(prefix)
    assert invitee(link.removeprefix(prefix).rstrip("/")) == user


def test_an_invalid_address_creates_no_account_and_sends_nothing(
    superuser, django_user_model, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as error:
        invite(username="ada", email="not an address", invited_by=superuser)

    assert "email" in error.value.message_dict
    assert not django_user_model.objects.filter(username="ada").exists()
    assert mail.outbox == []


def test_no_new_invitation_is_sent_to_someone_who_set_a_password(staff_user, superuser) -> None:
    with pytest.raises(ValueError, match="has set a password: their invitation was accepted"):
        invitations.send_invitation(staff_user, invited_by=superuser)

    staff_user.refresh_from_db()
    assert staff_user.check_password("pw-staff-123")


def test_an_invitation_without_names_or_staff_leaves_them_blank_and_greets_plainly(
    superuser, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        user = invite(username="ada", email="ada@firm.example", invited_by=superuser)

    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.is_staff) == ("", "", False)
    assert mail.outbox[0].body.startswith("Hello,")
