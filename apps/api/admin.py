"""Clients and their keys: issued and revoked here; a key's secret is shown once, on issue."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from apps.api import keys
from apps.api.models import ApiClient, ApiKey, Scope


class KeyInline(admin.TabularInline):
    model = ApiKey
    extra = 0
    can_delete = False
    fields = ("name", "prefix", "scopes", "expires_at", "revoked_at", "last_used_at")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False  # keys are issued from the key page, which shows the secret once


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ("name", "contact_email", "active", "created_at")
    search_fields = ("name", "contact_email")
    inlines = [KeyInline]


class IssueForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices, widget=forms.CheckboxSelectMultiple, initial=[Scope.READ]
    )

    class Meta:
        model = ApiKey
        fields = ("client", "name", "scopes", "expires_at")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = (
        "client",
        "name",
        "prefix",
        "scopes",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )
    list_filter = ("client",)
    list_select_related = ("client",)
    actions = ("revoke",)
    readonly_fields = ("prefix", "created_at", "revoked_at", "last_used_at")

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = IssueForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("client", "name", "scopes", "expires_at")
        return (
            "client",
            "name",
            "prefix",
            "scopes",
            "expires_at",
            "created_at",
            "revoked_at",
            "last_used_at",
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("client", "prefix", "scopes", "created_at", "revoked_at", "last_used_at")

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name", "expires_at"])
            return
        row, secret = keys.issue(
            form.cleaned_data["client"],
            form.cleaned_data["name"],
            form.cleaned_data["scopes"],
            form.cleaned_data.get("expires_at"),
        )
        obj.pk = row.pk
        messages.warning(
            request,
            f"The key is {secret} . Copy it now: it is stored only as a hash and "
            "cannot be shown again.",
        )

    @admin.action(description="Revoke selected keys")
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"{count} key(s) revoked.", messages.SUCCESS)
