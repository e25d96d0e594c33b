"""The curated rows' admin pages, extended by the editorial workflow.

Editors and reviewers read published rows here but change them only through
cases. Administrators keep direct editing as an escape hatch, and every such
edit is written to the audit trail like an approved change. Each row's page
lists its history, newest first, each entry linked to its case.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from apps.amendments.admin import AmendmentAdmin
from apps.amendments.models import Amendment
from apps.cases import rows
from apps.cases.models import AppliedChange
from apps.cases.selectors import row_history
from apps.cases.services import lock_audit_trail
from apps.instruments.admin import InstrumentAdmin
from apps.instruments.models import Instrument
from apps.jurisdictions.admin import JurisdictionAdmin
from apps.jurisdictions.models import Jurisdiction
from apps.obligations.admin import ObligationAdmin
from apps.obligations.models import Obligation

ADMINISTER = "cases.administer_case"


class CuratedAdminMixin:
    target = ""

    def _may_edit(self, request) -> bool:
        return request.user.has_perm(ADMINISTER)

    def has_add_permission(self, request, *args):
        return self._may_edit(request)

    def has_change_permission(self, request, obj=None):
        return self._may_edit(request)

    def has_delete_permission(self, request, obj=None):
        return False  # rows are retired through a case, never deleted

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "history")

    @admin.display(description="history")
    def history(self, obj) -> str:
        if obj is None or obj.pk is None:
            return "—"
        entries = row_history(self.target, obj.pk)[:50]
        if not entries:
            return "No changes since it was loaded."
        return format_html(
            "<table><tr><th>#</th><th>when</th><th>what</th><th>case</th><th>proposed by</th>"
            "<th>approved by</th></tr>{}</table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                (
                    (
                        e.pk,
                        e.applied_at.strftime("%Y-%m-%d %H:%M"),
                        e.get_action_display(),
                        format_html(
                            '<a href="{}">#{}</a>',
                            reverse("admin:cases_case_change", args=[e.case_id]),
                            e.case_id,
                        )
                        if e.case_id
                        else "direct edit",
                        e.proposer or "—",
                        e.approver or "—",
                    )
                    for e in entries
                ),
            ),
        )

    def save_model(self, request, obj, form, change):
        # The approvals' lock: audit ids stay in commit order, and a direct edit
        # waits for an approval touching the same row instead of interleaving.
        lock_audit_trail()
        # Captured before the save so the audit entry holds the true "before".
        request._curated_before = (
            rows.snapshot(self.target, type(obj).objects.get(pk=obj.pk)) if change else None
        )
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)

    @transaction.atomic
    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        AppliedChange.objects.create(
            target=self.target,
            action="update" if change else "create",
            row_id=obj.pk,
            before=getattr(request, "_curated_before", None),
            after=rows.snapshot(self.target, type(obj).objects.get(pk=obj.pk)),
            case=None,
            proposer=request.user,
            approver=request.user,
        )


def _extend(base: type[admin.ModelAdmin], target: str) -> type[admin.ModelAdmin]:
    return type(f"Curated{base.__name__}", (CuratedAdminMixin, base), {"target": target})


def register_curated(site: admin.AdminSite) -> None:
    for model, base, target in (
        (Jurisdiction, JurisdictionAdmin, "jurisdiction"),
        (Instrument, InstrumentAdmin, "instrument"),
        (Obligation, ObligationAdmin, "obligation"),
        (Amendment, AmendmentAdmin, "amendment"),
    ):
        site.unregister(model)
        site.register(model, _extend(base, target))
