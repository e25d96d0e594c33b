"""The user admin gains "Invite a person" (a page) and "Send a new invitation" (an action)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from apps.accounts import invitations
from apps.accounts.forms import InviteForm

User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class InvitingUserAdmin(UserAdmin):
    change_list_template = "admin/accounts/user_change_list.html"
    actions = ["send_new_invitation"]

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "invite/",
                self.admin_site.admin_view(self.invite_view),
                name=f"{opts.app_label}_{opts.model_name}_invite",
            ),
            *super().get_urls(),
        ]

    def invite_view(self, request: HttpRequest) -> HttpResponse:
        # Inviting creates an account: the same right as adding one.
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = InviteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            user = invitations.invite(**form.cleaned_data, invited_by=request.user)
            self.log_addition(request, user, "Invited by email.")
            self.message_user(
                request,
                f"Invitation sent to {user.email}; its link works for "
                f"{settings.ACCOUNTS_INVITE_DAYS} days.",
                messages.SUCCESS,
            )
            return redirect("admin:auth_user_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Invite a person",
            "form": form,
            "days": settings.ACCOUNTS_INVITE_DAYS,
        }
        return TemplateResponse(request, "admin/accounts/invite.html", context)

    @admin.action(description="Send a new invitation", permissions=["add"])
    def send_new_invitation(self, request: HttpRequest, queryset) -> None:
        # An account that has a password has accepted; one without an address cannot be sent one.
        pending = [user for user in queryset if not user.has_usable_password() and user.email]
        for user in pending:
            invitations.send_invitation(user, invited_by=request.user)
        if pending:
            self.message_user(
                request,
                f"New invitation sent to {len(pending)} user(s); earlier links no longer work.",
                messages.SUCCESS,
            )
        skipped = len(queryset) - len(pending)
        if skipped:
            self.message_user(
                request,
                f"{skipped} user(s) skipped: they have set a password or have no email address.",
                messages.WARNING,
            )
