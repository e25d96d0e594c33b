from django.contrib import admin

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
    list_display = ("key", "title", "seed_footnote", "provenance", "last_verified_on")
    list_filter = ("provenance",)
    search_fields = ("key", "title", "url")
