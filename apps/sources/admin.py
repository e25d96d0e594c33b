"""Sources with their health at a glance; snapshots and changes are machine-made, read-only."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import models
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from apps.sources.models import Change, Snapshot, Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    # Official sources are https; an editor who types a bare host means https too.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = (
        "name",
        "kind",
        "host_name",
        "active",
        "health",
        "last_success_at",
        "consecutive_failures",
        "next_check_at",
    )
    list_filter = ("active", "kind", "adapter")
    search_fields = ("name", "url")
    filter_horizontal = ("instruments",)
    autocomplete_fields = ("jurisdiction",)
    readonly_fields = (
        "next_check_at",
        "claim_expires_at",
        "etag",
        "last_modified",
        "last_attempt_at",
        "last_success_at",
        "consecutive_failures",
        "last_error",
        "broken_since",
    )
    actions = ("check_now",)

    @admin.display(description="host")
    def host_name(self, obj: Source) -> str:
        return obj.host

    @admin.display(description="health")
    def health(self, obj: Source) -> str:
        if not obj.active:
            return "paused"
        if obj.broken_since:
            return "broken"
        if obj.consecutive_failures:
            return f"failing ({obj.consecutive_failures})"
        return "ok" if obj.last_success_at else "never checked"

    @admin.action(description="Check now")
    def check_now(self, request, queryset):
        from apps.sources.tasks import check_source_task

        ids = list(queryset.filter(active=True).values_list("pk", flat=True))
        for source_id in ids:
            check_source_task.delay_on_commit(source_id)
        self.message_user(request, f"{len(ids)} check(s) queued.", messages.SUCCESS)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Snapshot)
class SnapshotAdmin(ReadOnly):
    list_display = ("source", "sequence", "fetched_at", "content_hash")
    list_select_related = ("source",)
    list_filter = ("source",)
    fields = (
        "source",
        "sequence",
        "fetched_at",
        "content_type",
        "content_hash",
        "text",
        "raw_link",
    )
    readonly_fields = fields

    @admin.display(description="raw body")
    def raw_link(self, obj: Snapshot) -> str:
        url = reverse("admin:sources_snapshot_raw", args=[obj.pk])
        return format_html('<a href="{}">download as text</a>', url)

    def get_urls(self):
        return [
            path(
                "<int:pk>/raw/",
                self.admin_site.admin_view(self.raw_view),
                name="sources_snapshot_raw",
            ),
            *super().get_urls(),
        ]

    def raw_view(self, request, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        snapshot = get_object_or_404(Snapshot, pk=pk)
        # Evidence is served as plain text and as a download, never as HTML.
        response = HttpResponse(bytes(snapshot.raw), content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="snapshot-{pk}.txt"'
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


@admin.register(Change)
class ChangeAdmin(ReadOnly):
    list_display = ("source", "significance", "new_items", "detected_at")
    list_select_related = ("source",)
    list_filter = ("significance", "source")
    fields = (
        "source",
        "significance",
        "reasons",
        "new_items",
        "detected_at",
        "diff_view",
        "proposal_list",
    )
    readonly_fields = fields

    @admin.display(description="diff")
    def diff_view(self, obj: Change) -> str:
        # format_html escapes every piece of fetched text.
        rows = []
        for line in obj.diff:
            op = line["op"]
            if op == "replace" and line.get("words"):
                words = format_html_join(
                    " ",
                    "{}",
                    (
                        (
                            format_html("<del>{}</del>", w)
                            if o == "delete"
                            else format_html("<ins>{}</ins>", w)
                            if o == "insert"
                            else w,
                        )
                        for o, w in line["words"]
                    ),
                )
                rows.append(format_html("<tr><td>~</td><td>{}</td></tr>", words))
            else:
                sign = {"insert": "+", "delete": "-", "skip": "…"}.get(op, " ")
                rows.append(
                    format_html(
                        "<tr><td>{}</td><td>{}</td></tr>",
                        sign,
                        line["new"] if op == "insert" else line["old"],
                    )
                )
        return format_html(
            '<table class="diff">{}</table>', format_html_join("", "{}", ((r,) for r in rows))
        )

    @admin.display(description="adapter proposals")
    def proposal_list(self, obj: Change) -> str:
        if not obj.proposals:
            return "—"
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", "<li>{}</li>", ((p.get("summary", ""),) for p in obj.proposals)),
        )
