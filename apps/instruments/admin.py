from django.contrib import admin

from apps.instruments.models import Identifier, Instrument, InstrumentEvent, InstrumentParty


class IdentifierInline(admin.TabularInline):
    model = Identifier
    extra = 0
    fields = ("scheme", "value", "provenance")


class EventInline(admin.TabularInline):
    model = InstrumentEvent
    extra = 0
    fields = ("kind", "date", "date_precision", "note", "provenance")


class PartyInline(admin.TabularInline):
    model = InstrumentParty
    extra = 0
    autocomplete_fields = ("jurisdiction",)
    fields = ("jurisdiction", "joined_on", "joined_on_precision", "provenance")


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "kind",
        "jurisdiction",
        "status",
        "status_since",
        "legal_force",
        "last_verified_on",
    )
    list_filter = (
        "kind",
        "status",
        "legal_force",
        "jurisdiction__kind",
        "jurisdiction",
        ("last_verified_on", admin.EmptyFieldListFilter),
    )
    list_select_related = ("jurisdiction",)
    search_fields = ("title", "original_title", "slug", "identifiers__value")
    # Searched, never listed: 20,000 citations made this form megabytes long (issue 31).
    autocomplete_fields = ("jurisdiction", "citations")
    readonly_fields = (
        "status",
        "status_since",
        "last_verified_on",
        "verified_against",
        "version",
        "created_at",
        "updated_at",
    )
    inlines = (IdentifierInline, EventInline, PartyInline)
    show_full_result_count = False


@admin.register(Identifier)
class IdentifierAdmin(admin.ModelAdmin):
    list_display = ("value", "scheme", "instrument")
    list_filter = ("scheme",)
    list_select_related = ("instrument",)
    search_fields = ("value", "instrument__title")
    autocomplete_fields = ("instrument",)
