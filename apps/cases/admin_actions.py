"""The case page's one-step actions, conflict warnings and refusals (mixed into CaseAdmin).

Kept apart from apps/cases/admin.py so the case page's views stay small:
submit in one step, return and rebase in one step, a rebase with per-field
choices, the warning when a row already has an open proposal elsewhere, and
a refused action explained on an admin page rather than a bare 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from apps.accounts.roles import can_work
from apps.cases import conflicts, services, steps
from apps.cases.models import Case, ProposedChange
from apps.record.models import Target


def message_of(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def take_live(post, change: ProposedChange) -> set[str]:
    """The fields of one proposal where the form chose the live value."""
    return {key for key in change.values if post.get(f"choice-{change.pk}-{key}") == "live"}


class CaseActionsMixin:
    def action_urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/submit/", view(require_POST(self.submit_view)), name="cases_case_submit"
            ),
            path(
                "<int:pk>/propose-existing/",
                view(self.propose_existing_view),
                name="cases_case_propose_existing",
            ),
            path(
                "<int:pk>/return-rebase/",
                view(require_POST(self.return_rebase_view)),
                name="cases_case_return_rebase",
            ),
        ]

    def refused(self, request: HttpRequest, pk: int | None, reason: str) -> HttpResponse:
        """A refused action explained inside the admin (still a 403 to any client)."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "This action is not available to you",
            "reason": reason,
            "case_url": reverse("admin:cases_case_change", args=[pk])
            if pk is not None and can_work(request.user)
            else None,
        }
        return TemplateResponse(request, "admin/cases/case/refused.html", context, status=403)

    def run(self, request, pk: int, operation, success: str) -> HttpResponse:
        """Run a service; report its outcome as a message on the case page, or refuse."""
        try:
            operation()
        except services.Conflict as exc:
            self.message_user(request, str(exc), messages.ERROR)
        except PermissionDenied as exc:
            return self.refused(request, pk, message_of(exc))
        except ValidationError as exc:
            self.message_user(request, message_of(exc), messages.ERROR)
        else:
            self.message_user(request, success, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:cases_case_change", args=[pk]))

    def propose_existing_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The "change or retire an existing row" form: its kind and id to the proposal page
        (a plain GET form; the CSP runs no inline script to build the address)."""
        target, row = request.GET.get("kind", ""), request.GET.get("row", "").strip()
        if target not in Target.values or not row.isdigit():
            self.message_user(request, "Choose a kind of row and give its id.", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:cases_case_change", args=[pk]))
        return HttpResponseRedirect(
            reverse("admin:cases_case_propose_update", args=[pk, target, int(row)])
        )

    def submit_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = get_object_or_404(Case, pk=pk)
        return self.run(
            request,
            pk,
            lambda: steps.case_submit(case=case, actor=request.user),
            "Submitted for review; the case is assigned to you until a reviewer takes it up.",
        )

    def return_rebase_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = get_object_or_404(Case, pk=pk)
        choices = {c.pk: take_live(request.POST, c) for c in case.changes.all()}
        return self.run(
            request,
            pk,
            lambda: steps.case_return_and_rebase(case=case, actor=request.user, take_live=choices),
            "Returned to the editor with its proposals rebased on the current rows.",
        )

    def rebase_view(self, request: HttpRequest, pk: int, change_id: int) -> HttpResponse:
        change = get_object_or_404(ProposedChange, pk=change_id, case_id=pk)
        return self.run(
            request,
            pk,
            lambda: services.change_rebase(
                change=change, actor=request.user, take_live=take_live(request.POST, change)
            ),
            "Proposal rebased on the current row; the timeline records what was kept.",
        )

    def warn_if_proposed_elsewhere(self, request: HttpRequest, change: ProposedChange) -> None:
        """Another open case already proposes a change to this row: say which, and whose."""
        others = conflicts.open_elsewhere([change]).get(change.pk, [])
        if not others:
            return
        links = format_html_join(
            ", ",
            '<a href="{}">case #{} “{}”</a> by {}',
            (
                (
                    reverse("admin:cases_case_change", args=[o.case_id]),
                    o.case_id,
                    o.case.title,
                    conflicts.author(o),
                )
                for o in others
            ),
        )
        self.message_user(
            request,
            format_html(
                "Another open case already proposes a change to this row: {}. "
                "Agree with them who goes first; whichever is published second "
                "will need a rebase.",
                links,
            ),
            messages.WARNING,
        )
