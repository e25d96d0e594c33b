"""The curated rows' admin pages, extended by the editorial workflow.

Editors and reviewers read published rows here but change them only through
cases. Administrators keep direct editing as an escape hatch: the form and
its inlines are turned into the plain values of what the administrator
changed and written by the write service (apps.record.services), audited like
an approved change. Children are edited only on their parent's page. Each
row's page lists its history, newest first, each entry linked to its case.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from apps.cases.admin_coverage import CoveragePageMixin
from apps.cases.admin_record import RecordPagesMixin
from apps.cases.admin_verify import VerificationPagesMixin
from apps.core.admin_lists import LargeListAdmin
from apps.core.quick_select import QuickChoicesAdmin
from apps.record import registry, rows
from apps.record import services as record
from apps.record.models import Origin
from apps.record.selectors import row_history

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

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        for inline in inlines:  # children follow their parent's rights
            inline.has_add_permission = lambda request, obj=None: self._may_edit(request)
            inline.has_change_permission = lambda request, obj=None: self._may_edit(request)
            inline.has_delete_permission = lambda request, obj=None: self._may_edit(request)
        return inlines

    @admin.display(description="history")
    def history(self, obj) -> str:
        if obj is None or obj.pk is None:
            return "—"
        entries = row_history(self.target, obj.pk)[:50]
        if not entries:
            return "No recorded change."
        return format_html(
            "<table><tr><th>#</th><th>when</th><th>what</th><th>by</th><th>proposed by</th>"
            "<th>approved by</th><th>changed</th></tr>{}</table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
                "<td>{}</td></tr>",
                (
                    (
                        e.pk,
                        e.applied_at.strftime("%Y-%m-%d %H:%M"),
                        e.get_action_display(),
                        format_html(
                            '<a href="{}">case #{}</a>',
                            reverse("admin:cases_case_change", args=[e.case_id]),
                            e.case_id,
                        )
                        if e.case_id
                        else e.get_origin_display(),
                        e.proposer or "—",
                        e.approver or "—",
                        ", ".join(sorted((e.after or e.before or {}).keys())) or e.reason,
                    )
                    for e in entries
                ),
            ),
        )

    # -- direct edits through the write service ------------------------------
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (ValidationError, record.Conflict) as exc:
            # Past the form's own validation: PostgreSQL refused a constraint,
            # or the row moved under the edit. Nothing was saved.
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            self.message_user(request, f"Not saved: {text}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        """Saved in save_related, once the inlines' values are known too."""

    def save_related(self, request, form, formsets, change):
        """The row and its children in one write (no formset saves itself)."""
        values = _form_values(self.target, form, formsets, change)
        for formset in formsets:  # what the admin's change message reads
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        why = record.Why(Origin.DIRECT, proposer=request.user, approver=request.user)
        written = record.write(
            target=self.target,
            row=form.instance.pk if change else None,
            values=values,
            base_version=form.instance.version if change else None,
            why=why,
        )
        form.instance.pk = written.row.pk
        form.instance.version = written.row.version


def _form_values(target: str, form, formsets, change: bool) -> dict[str, Any]:
    """What the administrator changed, as plain values (everything for a new row)."""
    curated = rows.kind(target)
    names = {f.name for f in curated.fields} | {"citations"}
    values = {
        name: _plain_field(form.cleaned_data[name])
        for name in form.cleaned_data
        if name in names and (not change or name in form.changed_data)
    }
    children = {child.model: child for child in curated.children}
    for formset in formsets:
        child = children.get(formset.model)
        if child is None or (change and not formset.has_changed()):
            continue
        values[child.related] = [
            {
                name: _plain_field(value)
                for name, value in item.cleaned_data.items()
                if name in {f.name for f in child.fields} | {"citations"}
            }
            for item in formset.forms
            if item.has_changed() or item.instance.pk
            if item.cleaned_data and not item.cleaned_data.get("DELETE")
        ]
    return values


def _plain_field(value: Any) -> Any:
    if hasattr(value, "values_list") or isinstance(value, list | tuple):
        items = list(value)
        if items and all(hasattr(i, "pk") for i in items):
            return sorted(i.pk for i in items)
        return items
    return rows.plain(value)


def _extend(base: type[admin.ModelAdmin], target: str) -> type[admin.ModelAdmin]:
    # Choice lists written by Python (apps.core.quick_select), the inlines' too: they
    # were two thirds of an instrument's change form at 100,000 instruments (issue 31).
    inlines = tuple(
        type(inline.__name__, (QuickChoicesAdmin, inline), {}) for inline in base.inlines
    )
    return type(
        f"Curated{base.__name__}",
        (
            VerificationPagesMixin,
            CoveragePageMixin,
            RecordPagesMixin,
            CuratedAdminMixin,
            LargeListAdmin,
            QuickChoicesAdmin,
            base,
        ),
        {"target": target, "inlines": inlines},
    )


class ReadOnlyChildAdmin:
    """A child's own admin page only reads: children change on their parent's page."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def register_curated(site: admin.AdminSite) -> None:
    """Wrap every registered admin of a curated model or child (from the registry)."""
    for target, curated in registry.REGISTRY.items():
        base = type(site._registry[curated.model])
        site.unregister(curated.model)
        site.register(curated.model, _extend(base, target))
    for model in registry.child_models():
        if model in site._registry:
            base = type(site._registry[model])
            site.unregister(model)
            site.register(
                model,
                type(f"ReadOnly{base.__name__}", (ReadOnlyChildAdmin, LargeListAdmin, base), {}),
            )
