from django.contrib import admin
from django.db import models

from apps.core.admin_lists import LargeListAdmin
from apps.core.models import Citation, Heartbeat


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ("id", "origin", "requested_at", "completed_at", "worker")
    list_filter = ("origin",)
    readonly_fields = ("origin", "requested_at", "completed_at", "worker")

    def has_add_permission(self, request):  # machine-made rows
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Citation)
class CitationAdmin(LargeListAdmin, admin.ModelAdmin):
    # Official sources are https; an editor who types a bare host means https too.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("key", "title", "locator", "provenance", "accessed_on", "last_verified_on")
    list_filter = ("provenance", ("locator", admin.EmptyFieldListFilter))
    search_fields = ("key", "title", "url", "locator", "states")
    fields = (
        "key",
        "url",
        "title",
        "locator",
        "states",
        "accessed_on",
        "last_verified_on",
        "seed_footnote",
        "provenance",
    )
