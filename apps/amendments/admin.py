from django.contrib import admin

from apps.amendments.models import Amendment


@admin.register(Amendment)
class AmendmentAdmin(admin.ModelAdmin):
    list_display = (
        "key",
        "kind",
        "source_instrument",
        "source_jurisdiction",
        "target_instrument",
        "announced_on",
        "effective_on",
    )
    list_filter = ("kind", "target_instrument__jurisdiction")
    list_select_related = ("source_instrument", "source_jurisdiction", "target_instrument")
    search_fields = ("key", "summary", "target_instrument__title", "source_instrument__title")
    # Searched, never listed (issue 31).
    autocomplete_fields = (
        "source_instrument",
        "source_jurisdiction",
        "target_instrument",
        "citations",
    )
    readonly_fields = ("version", "created_at", "updated_at")
