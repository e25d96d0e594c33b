""" "Approve and publish" asks first (issue 23): a confirmation page that works without
script, with a box to tick, and a plain warning when nothing in the case supports
what is about to be published (mixed into CaseAdmin).

The button on the case page opens this page (a GET); only its POST, with the box
ticked, approves. A POST without the box shows the page again with the error beside
the box. Who may approve is asked first, so a refusal reads the same as before.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from apps.cases import policy, selectors, services
from apps.cases.models import Case
from apps.cases.policy import Act

NEEDED = "Tick the box to confirm: approving publishes these changes to every reader."


class ApproveForm(forms.Form):
    confirm = forms.BooleanField(required=True, error_messages={"required": NEEDED})

    def __init__(self, *args, evidence: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"].label = (
            "I have checked the proposed changes and publish them."
            if evidence
            else "I have checked the proposed changes and publish them without evidence."
        )


class ApproveMixin:
    def approve_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = get_object_or_404(Case, pk=pk)
        refusal = policy.check(request.user, Act.APPROVE, case)
        if refusal is not None:
            if issubclass(refusal.error, PermissionDenied):  # not theirs to do: an admin page
                return self.refused(request, pk, refusal.reason)
            # Not now (not in review, nothing proposed): said on the case page.
            self.message_user(request, refusal.reason, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:cases_case_change", args=[pk]))
        evidence = case.evidence.exists()
        # Bound on any POST: an empty one (the box left unticked) is an error, not a GET.
        data = request.POST if request.method == "POST" else None
        form = ApproveForm(data, evidence=evidence)
        if request.method == "POST" and form.is_valid():
            return self.run(
                request,
                pk,
                lambda: services.case_approve(case=case, reviewer=request.user),
                "Approved: the changes are published.",
            )
        changes = list(case.changes.all())
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Approve and publish case #{case.pk}?",
            "case": case,
            "form": form,
            "evidence": evidence,
            "change_views": selectors.change_views(changes, live_rows=True),
        }
        return TemplateResponse(request, "admin/cases/case/approve.html", context)
