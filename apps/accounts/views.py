from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from apps.accounts.invitations import InvitationRefused, Refusal, invitee

# A link past its time or already used is gone for good; a mangled one is a bad request.
_REFUSAL_STATUS = {
    Refusal.EXPIRED: 410,
    Refusal.USED: 410,
    Refusal.REPLACED: 410,
    Refusal.INVALID: 400,
}


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The invitee chooses a password and is signed in."""
    try:
        user = invitee(token)
    except InvitationRefused as refused:
        return render(
            request,
            "registration/invitation_refused.html",
            {"reason": refused.reason.value, "days": settings.ACCOUNTS_INVITE_DAYS},
            status=_REFUSAL_STATUS[refused.reason],
        )
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        # Named because axes' backend comes first and signs nobody in.
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Your password is set and you are signed in.")
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "registration/invitation_accept.html", {"form": form, "invitee": user})
