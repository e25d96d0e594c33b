from django.contrib import admin

from apps.obligations.models import Obligation, Penalty


class PenaltyInline(admin.TabularInline):
    model = Penalty
    extra = 0
    fields = ("applies_to", "max_amount", "currency", "turnover_percent", "prison_years", "rule")


@admin.register(Obligation)
class ObligationAdmin(admin.ModelAdmin):
    list_display = (
        "instrument",
        "provision",
        "addressee",
        "risk_tier",
        "applies_from",
        "needs_review",
    )
    list_filter = ("risk_tier", "addressee", "needs_review", "instrument__jurisdiction")
    list_select_related = ("instrument",)
    search_fields = ("provision", "requirement", "key", "instrument__title")
    # Newest first, which the primary key serves: the model's order (by instrument title)
    # sorts all 300,000 rows through a join for every page of the list (issue 31).
    ordering = ("-id",)
    autocomplete_fields = ("instrument", "citations")  # searched, never listed (issue 31)
    readonly_fields = ("version", "created_at", "updated_at")
    inlines = (PenaltyInline,)
