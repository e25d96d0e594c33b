"""The audit trail in the admin: every applied change, newest first, read-only.

Every role may read it (record.view_appliedchange, apps.accounts.roles). At
200,000 changes and more the list is counted by the planner's estimate
(apps.core.admin_lists), and sorted by id only, which its primary key serves.
"""

from __future__ import annotations

from functools import cache

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from apps.core.admin_lists import LargeListAdmin
from apps.record import registry
from apps.record.models import AppliedChange


@admin.register(AppliedChange)
class AppliedChangeAdmin(LargeListAdmin, admin.ModelAdmin):
    list_display = ("id", "applied_at", "action", "target", "row", "origin", "case_link", "by")
    list_display_links = ("id",)
    list_filter = ("target", "action", "origin")
    list_select_related = ("proposer", "approver")
    # Sorting by another column would sort every change: the id is the order they applied in.
    sortable_by = ("id",)
    search_help_text = "An id of a row (e.g. 42), or a case as case 17."
    search_fields = ("row_id",)  # read by get_search_results below
    fields = (
        "id",
        "applied_at",
        "target",
        "row_id",
        "version",
        "action",
        "origin",
        "reason",
        "case",
        "proposer",
        "approver",
        "before",
        "after",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # written only by apps.record.services.write

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_search_results(self, request, queryset, search_term):
        # Numbers only, each an index: "42" a row's id, "case 17" a case's.
        term = search_term.strip().lower()
        if not term:
            return queryset, False
        word, _, number = term.rpartition(" ")
        if not (number.isascii() and number.isdigit()) or len(number) > 18:
            return queryset.none(), False
        if word == "case":
            return queryset.filter(case_id=int(number)), False
        return queryset.filter(row_id=int(number)), False

    @admin.display(description="row")
    def row(self, change: AppliedChange) -> str:
        kind = registry.REGISTRY.get(change.target)
        meta = kind.model._meta if kind is not None else None
        url = _change_url(f"admin:{meta.app_label}_{meta.model_name}_change") if meta else None
        if url is None:
            return str(change.row_id)
        return format_html(
            '<a href="{}">{}</a>', url.replace(_ANY_ID, str(change.row_id)), change.row_id
        )

    @admin.display(description="case")
    def case_link(self, change: AppliedChange) -> str:
        url = _change_url("admin:cases_case_change")
        if change.case_id is None or url is None:
            return "—"
        return format_html(
            '<a href="{}">#{}</a>', url.replace(_ANY_ID, str(change.case_id)), change.case_id
        )

    @admin.display(description="by")
    def by(self, change: AppliedChange) -> str:
        people = [str(p) for p in (change.proposer, change.approver) if p is not None]
        return " / ".join(dict.fromkeys(people)) or "—"


# A page lists a hundred changes: their links are one reversed address each, the id put in.
_ANY_ID = "8" * 18


@cache
def _change_url(name: str) -> str | None:
    try:
        return reverse(name, args=[int(_ANY_ID)])
    except NoReverseMatch:
        return None
