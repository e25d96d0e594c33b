"""Endpoints with their health; the delivery log is machine-made and read-only.

An endpoint's signing secret is shown once, in the message that follows its
creation; no page shows it again.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from apps.core.addresses import AddressRefused, check_url
from apps.record.models import Target
from apps.webhooks import delivery
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint


class EndpointForm(forms.ModelForm):
    # A bare host typed in means https: receivers of signed payloads should use TLS.
    url = forms.URLField(max_length=2000, assume_scheme="https")
    kinds = forms.MultipleChoiceField(
        choices=Target.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="None ticked: changes of every kind.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("client", "url", "description", "kinds", "active")

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            check_url(url, allow_private=delivery.allow_private())
        except AddressRefused as exc:
            raise forms.ValidationError(str(exc)) from None
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = (
        "client",
        "url",
        "kinds_shown",
        "health",
        "consecutive_failures",
        "last_success_at",
        "cursor",
    )
    list_filter = ("active", "client")
    list_select_related = ("client",)
    search_fields = ("url", "client__name", "description")
    actions = ("deliver_now", "reenable")
    readonly_fields = (
        "public_id",
        "cursor",
        "consecutive_failures",
        "next_attempt_at",
        "last_success_at",
        "disabled_at",
        "disabled_reason",
        "created_at",
        "delivery_log",
    )

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("client", "url", "description", "kinds")
        return ("client", "url", "description", "kinds", "active", *self.readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # An endpoint's client is fixed: its deliveries and secret belong to that client.
        return ("client", *self.readonly_fields)

    @admin.display(description="kinds")
    def kinds_shown(self, obj: WebhookEndpoint) -> str:
        return ", ".join(obj.kinds) or "all"

    @admin.display(description="health")
    def health(self, obj: WebhookEndpoint) -> str:
        if obj.disabled_at:
            return "disabled"
        if not obj.active:
            return "paused"
        if obj.consecutive_failures:
            return f"failing ({obj.consecutive_failures})"
        return "ok" if obj.last_success_at else "nothing delivered yet"

    @admin.display(description="delivery log")
    def delivery_log(self, obj: WebhookEndpoint) -> str:
        changelist = reverse("admin:webhooks_webhookdelivery_changelist")
        url = f"{changelist}?endpoint__id__exact={obj.pk}"
        return format_html('<a href="{}">{} deliveries</a>', url, obj.deliveries.count())

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        secret = delivery.prepare(obj)
        super().save_model(request, obj, form, change)
        messages.warning(
            request,
            f"The signing secret is {secret} . Copy it now and give it to the client: "
            "it cannot be shown again.",
        )

    @admin.action(description="Deliver waiting changes now")
    def deliver_now(self, request, queryset):
        from apps.webhooks.tasks import queue

        ids = list(queryset.filter(active=True).values_list("pk", flat=True))
        for endpoint_id in ids:
            queue(endpoint_id)
        self.message_user(request, f"{len(ids)} delivery run(s) queued.", messages.SUCCESS)

    @admin.action(description="Re-enable (deliver from where it stopped)")
    def reenable(self, request, queryset):
        endpoints = list(queryset)
        for endpoint in endpoints:
            delivery.reenable(endpoint)
        self.message_user(request, f"{len(endpoints)} endpoint(s) re-enabled.", messages.SUCCESS)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "endpoint",
        "status",
        "attempt",
        "status_code",
        "change_count",
        "started_at",
        "duration_ms",
        "error",
    )
    list_filter = ("status", "endpoint__client")
    list_select_related = ("endpoint", "endpoint__client")
    search_fields = ("endpoint__url", "error")
    fields = (
        "endpoint",
        "status",
        "attempt",
        "change_ids",
        "status_code",
        "error",
        "started_at",
        "finished_at",
        "duration_ms",
    )
    readonly_fields = fields

    @admin.display(description="changes")
    def change_count(self, obj: WebhookDelivery) -> int:
        return len(obj.change_ids)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
