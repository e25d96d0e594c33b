"""Sources with their health at a glance; snapshots and changes are machine-made, read-only.

A source links to its changes and the cases they opened; a change links back to its
source and to its case. "Check now" is for those who may change sources, and goes
through the dispatcher's claim, so it waits for its host's turn like any check.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import models
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince
from django.utils.timezone import localtime
from django.views.decorators.http import require_POST

from apps.sources import dispatch, highlight, links
from apps.sources.health import HealthFilter, health
from apps.sources.models import Change, Snapshot, Source

# Said to anyone who may see sources but not start their checks.
CHECK_REFUSED = (
    "Only those who may change sources (administrators) can start a check; "
    "ask an administrator, or wait for the next scheduled check."
)


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    # Official sources are https; an editor who types a bare host means https too.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("name", "kind", "host_name", "health_badge", "next_check_at")
    list_filter = (HealthFilter, "active", "kind", "adapter")
    search_fields = ("name", "url")
    autocomplete_fields = ("jurisdiction", "instruments")  # searched, never listed (issue 31)
    readonly_fields = (
        "health_badge",
        "next_check_at",
        "claim_expires_at",
        "etag",
        "last_modified",
        "last_attempt_at",
        "last_success_at",
        "consecutive_failures",
        "last_error",
        "broken_since",
        "lost_checks",
        "last_lost_at",
        "changes_and_cases",
    )
    actions = ("check_now",)

    class Media:
        css = {"all": ["sources/health.css"]}

    def get_fieldsets(self, request, obj=None):
        watched = (
            None,
            {
                "fields": (
                    "name",
                    "url",
                    "kind",
                    "selector",
                    "ignore",
                    "adapter",
                    "check_interval_minutes",
                    "instruments",
                    "jurisdiction",
                    "active",
                )
            },
        )
        if obj is None:
            return [watched]
        return [
            (
                "Health",
                {
                    "fields": (
                        "health_badge",
                        "last_error",
                        "broken_since",
                        "lost_checks",
                        "last_lost_at",
                    )
                },
            ),
            watched,
            ("Changes and the cases they opened", {"fields": ("changes_and_cases",)}),
            (
                "Scheduling",
                {
                    "classes": ("collapse",),
                    "fields": (
                        "last_attempt_at",
                        "consecutive_failures",
                        "next_check_at",
                        "claim_expires_at",
                        "etag",
                        "last_modified",
                    ),
                },
            ),
        ]

    @admin.display(description="host")
    def host_name(self, obj: Source) -> str:
        return obj.host

    @admin.display(description="health")
    def health_badge(self, obj: Source) -> str:
        state = health(obj)
        when = (
            format_html(
                '<time datetime="{}">{}</time> ({} ago)',
                obj.last_success_at.isoformat(),
                date_format(localtime(obj.last_success_at), "Y-m-d H:i"),
                timesince(obj.last_success_at),
            )
            if obj.last_success_at
            else "never"
        )
        return format_html(
            '<span class="health health-{}" title="{}">{}</span>'
            '<span class="health-when">last success: {}</span>',
            state.state,
            obj.last_error or state.label,
            state.label,
            when,
        )

    @admin.display(description="changes")
    def changes_and_cases(self, obj: Source) -> str:
        return render_to_string("admin/sources/source/changes.html", links.of_source(obj))

    # -- Check now ----------------------------------------------------------
    def get_urls(self):
        return [
            path(
                "<int:pk>/check-now/",
                self.admin_site.admin_view(require_POST(self.check_now_view)),
                name="sources_source_check_now",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        context = {**(extra_context or {}), "check_refused": None}
        if not self.has_change_permission(request):
            context["check_refused"] = CHECK_REFUSED
        return super().change_view(request, object_id, form_url, context)

    def changelist_view(self, request, extra_context=None):
        context = {**(extra_context or {}), "check_refused": None}
        if not self.has_change_permission(request):
            context["check_refused"] = CHECK_REFUSED
        return super().changelist_view(request, context)

    @admin.action(description="Check now", permissions=["change"])
    def check_now(self, request, queryset):
        self._check(request, list(queryset))

    def check_now_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        source = get_object_or_404(Source, pk=pk)
        if not self.has_change_permission(request, source):
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "Check not started",
                "source": source,
                "reason": CHECK_REFUSED,
            }
            return TemplateResponse(
                request, "admin/sources/source/check_refused.html", context, status=403
            )
        self._check(request, [source])
        return HttpResponseRedirect(reverse("admin:sources_source_change", args=[pk]))

    def _check(self, request, sources: list[Source]) -> None:
        """Queue checks through the dispatcher's claim (host spacing included); say what
        happened to each source, paused and already-queued ones included."""
        if not self.has_change_permission(request):
            self.message_user(request, CHECK_REFUSED, messages.ERROR)
            return
        planned = dict(dispatch.check_now([s.pk for s in sources]))
        for source in sources:
            if source.pk in planned:
                delay = planned[source.pk]
                when = (
                    "now"
                    if delay == 0
                    else f"in {delay} s, after earlier requests to {source.host}"
                )
                self.message_user(request, f"Check of “{source}” queued: it starts {when}.")
            elif not source.active:
                self.message_user(
                    request,
                    f"“{source}” is paused, so it was not checked: tick Active on its page "
                    "to resume its checks.",
                    messages.WARNING,
                )
            else:
                self.message_user(
                    request,
                    f"“{source}” already has a check queued or running; it was not queued again.",
                    messages.WARNING,
                )


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
    list_display = ("detected_at", "source", "significance", "new_items", "case_links")
    list_select_related = ("source",)
    list_filter = ("significance", "source")
    fields = (
        "source",
        "case_links",
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
        # The one highlighter of every diff; it escapes every piece of fetched text.
        return highlight.lines(obj.diff)

    def get_queryset(self, request):
        # The list's case column, in one query for the page.
        cases = Prefetch("evidence", queryset=links.evidence_with_cases())
        return super().get_queryset(request).prefetch_related(cases)

    @admin.display(description="case")
    def case_links(self, obj: Change) -> str:
        found = [e.case for e in obj.evidence.all()]
        if not found:
            return "—"
        return format_html_join(
            ", ",
            '<a href="{}">#{} {}</a> ({})',
            ((links.case_url(c), c.pk, c.title, c.get_state_display()) for c in found),
        )

    @admin.display(description="adapter proposals")
    def proposal_list(self, obj: Change) -> str:
        if not obj.proposals:
            return "—"
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", "<li>{}</li>", ((p.get("summary", ""),) for p in obj.proposals)),
        )
