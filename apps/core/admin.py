from django.contrib import admin
from django.db import models

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
class CitationAdmin(admin.ModelAdmin):
    # Official sources are https; an editor who types a bare host means https too.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("key", "title", "seed_footnote", "provenance", "last_verified_on")
    list_filter = ("provenance",)
    search_fields = ("key", "title", "url")
