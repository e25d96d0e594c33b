from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.models import Group
from django.template.loader import render_to_string

from apps.accounts.invitations import queue_mail


class InviteForm(forms.Form):
    email = forms.EmailField(label="Email address")
    username = forms.CharField(
        label="User name",
        max_length=150,
        validators=[get_user_model().username_validator],
        help_text="What they type to sign in.",
    )
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    is_staff = forms.BooleanField(
        label="May use the admin",
        required=False,
        help_text="Editors, reviewers and administrators need this; portal readers do not.",
    )
    groups = forms.ModelMultipleChoiceField(
        label="Roles",
        queryset=Group.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if get_user_model()._default_manager.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this email address exists already.")
        return email

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if get_user_model()._default_manager.filter(username__iexact=username).exists():
            raise forms.ValidationError("This user name is taken.")
        return username


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, its message queued for the worker (see queue_mail).

    The link is built on SITE_URL, not on the Host header of the request that asked.
    """

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ) -> None:
        site = urlsplit(settings.SITE_URL)
        context["protocol"] = site.scheme
        context["domain"] = site.netloc + site.path.rstrip("/")
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        queue_mail(to_email, subject, render_to_string(email_template_name, context))
