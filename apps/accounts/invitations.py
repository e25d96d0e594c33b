"""Invitations: an administrator creates a staff account; its owner sets the password.

The invitee's account has no usable password until they follow the emailed link, so
nobody can sign in as them before, and Django's password reset ignores it (a pending
invitee is sent a new invitation instead).

The link carries a token signed with django.core.signing rather than Django's password
reset token: signing tells an expired link (max_age) from a used or replaced one, so
the invitee is told which, and the invitation's lifetime (ACCOUNTS_INVITE_DAYS) stays
apart from PASSWORD_RESET_TIMEOUT.
"""

from __future__ import annotations

import enum
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "apps.accounts.invitation"


class Refusal(enum.Enum):
    EXPIRED = "expired"
    USED = "used"
    REPLACED = "replaced"
    INVALID = "invalid"


class InvitationRefused(Exception):
    def __init__(self, reason: Refusal):
        super().__init__(reason.value)
        self.reason = reason


def _state(user: AbstractBaseUser) -> str:
    # The password hash changes when the invitee sets a password (the link is used) and
    # when a new invitation is sent (a fresh unusable password): either retires the link.
    return salted_hmac(SALT, f"{user.pk}:{user.password}", algorithm="sha256").hexdigest()[:20]


def make_token(user: AbstractBaseUser) -> str:
    return signing.dumps({"u": user.pk, "s": _state(user)}, salt=SALT)


def invitee(token: str) -> AbstractBaseUser:
    """The user a still-valid invitation token was made for; InvitationRefused otherwise."""
    try:
        data = signing.loads(
            token, salt=SALT, max_age=timedelta(days=settings.ACCOUNTS_INVITE_DAYS)
        )
    except signing.SignatureExpired:
        raise InvitationRefused(Refusal.EXPIRED) from None
    except signing.BadSignature:
        raise InvitationRefused(Refusal.INVALID) from None
    if not isinstance(data, dict):
        raise InvitationRefused(Refusal.INVALID)
    user = get_user_model()._default_manager.filter(pk=data.get("u"), is_active=True).first()
    if user is None:
        raise InvitationRefused(Refusal.INVALID)
    if user.has_usable_password():
        raise InvitationRefused(Refusal.USED)
    if not constant_time_compare(str(data.get("s", "")), _state(user)):
        raise InvitationRefused(Refusal.REPLACED)
    return user


def invite(
    *,
    username: str,
    email: str,
    first_name: str = "",
    last_name: str = "",
    is_staff: bool = False,
    groups: list[Group] | tuple[Group, ...] = (),
    invited_by: AbstractBaseUser,
) -> AbstractBaseUser:
    """Create the account without a usable password and email its owner the link."""
    with transaction.atomic():
        user = get_user_model()(
            username=username,
            email=email,
            first_name=first_name,
            last_name=last_name,
            is_staff=is_staff,
            is_active=True,
        )
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        user.groups.set(groups)
        send_invitation(user, invited_by=invited_by)
    return user


def send_invitation(user: AbstractBaseUser, *, invited_by: AbstractBaseUser) -> None:
    """Email a new link; any earlier link of this user stops working."""
    if user.has_usable_password():
        raise ValueError(f"{user} has set a password: their invitation was accepted")
    with transaction.atomic():
        user.set_unusable_password()
        user.save(update_fields=["password"])
        context = {
            "user": user,
            "invited_by": invited_by,
            "link": settings.SITE_URL.rstrip("/")
            + reverse("accept-invitation", kwargs={"token": make_token(user)}),
            "days": settings.ACCOUNTS_INVITE_DAYS,
        }
        subject = "".join(
            render_to_string("registration/invitation_subject.txt", context).splitlines()
        )
        body = render_to_string("registration/invitation_email.txt", context)
        queue_mail(user.email, subject, body)


def queue_mail(to: str, subject: str, body: str) -> None:
    """Hand one message to the worker once the transaction commits.

    Through Celery rather than send_mail in the request: the admin or visitor does not
    wait on the mail server, a server that is down is retried with backoff by the task,
    no mail leaves for a rolled-back invitation, and a password reset request does not
    take visibly longer when the address has an account.
    """
    from apps.core.tasks import send_notification

    send_notification.delay_on_commit([to], subject, body)
