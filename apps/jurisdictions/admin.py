from django.contrib import admin

from apps.jurisdictions.models import Jurisdiction, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "group"
    extra = 0
    autocomplete_fields = ("member",)
    fields = (
        "member",
        "joined_on",
        "joined_on_precision",
        "left_on",
        "left_on_precision",
        "provenance",
    )
    verbose_name_plural = "members"


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "coverage", "parent", "last_verified_on", "version")
    list_filter = (
        "kind",
        "coverage",
        "provenance",
        ("last_verified_on", admin.EmptyFieldListFilter),
    )
    list_select_related = ("parent",)
    search_fields = ("code", "name", "iso_alpha3")
    autocomplete_fields = ("parent", "citations")  # searched, never listed (issue 31)
    readonly_fields = (
        "last_verified_on",
        "verified_against",
        "version",
        "created_at",
        "updated_at",
    )
    inlines = (MembershipInline,)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("group", "member", "joined_on", "left_on", "provenance")
    list_filter = ("group",)
    list_select_related = ("group", "member")
    search_fields = ("group__name", "member__name", "group__code", "member__code")
    autocomplete_fields = ("group", "member")
