"""Who takes reader reports, edited by administrators in the desk (apps/cases/reports.py
reads it): one editor per jurisdiction, and one on duty for the rest."""

from __future__ import annotations

from django.contrib import admin

from apps.accounts.roles import can_work
from apps.cases import policy
from apps.cases.models import ReportDuty

ADMINISTER = "cases.administer_case"


@admin.register(ReportDuty)
class ReportDutyAdmin(admin.ModelAdmin):
    list_display = ("__str__", "jurisdiction", "editor")
    list_select_related = ("jurisdiction", "editor")
    ordering = ("jurisdiction__name",)

    # Editors see who takes what; only administrators change it.
    def has_module_permission(self, request):
        return can_work(request.user)

    def has_view_permission(self, request, obj=None):
        return can_work(request.user)

    def has_add_permission(self, request):
        return request.user.is_active and request.user.has_perm(ADMINISTER)

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_add_permission(request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "editor":
            # Only someone who can open the case may be given it.
            kwargs["queryset"] = policy.assignees()
            kwargs["error_messages"] = {
                "invalid_choice": "Choose an editor or reviewer: only they can work a report."
            }
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
