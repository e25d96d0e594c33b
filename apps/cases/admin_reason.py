"""The case's public reason, written on a page of its own (mixed into CaseAdmin).

The case page is read-only; its reason is what readers are told: the changes feed
and webhooks publish it, and a reader whose report opened the case is emailed it when
the case closes (apps/cases/notices.py). A page with one field keeps what was typed
beside its error when it is refused.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from apps.cases import policy, services
from apps.cases.models import Case
from apps.cases.policy import Act


class ReasonForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = ("public_reason",)
        widgets = {"public_reason": forms.Textarea(attrs={"rows": 3, "cols": 60})}


class ReasonMixin:
    def reason_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = get_object_or_404(Case, pk=pk)
        refusal = policy.check(request.user, Act.EDIT, case)
        if refusal is not None:
            if issubclass(refusal.error, PermissionDenied):
                return self.refused(request, pk, refusal.reason)
            self.message_user(request, refusal.reason, "error")
            return HttpResponseRedirect(reverse("admin:cases_case_change", args=[pk]))
        data = request.POST if request.method == "POST" else None
        form = ReasonForm(data, instance=Case(public_reason=case.public_reason))
        if request.method == "POST" and form.is_valid():
            try:
                services.case_edit(
                    case=case, actor=request.user, public_reason=form.cleaned_data["public_reason"]
                )
            except ValidationError as exc:  # closed meanwhile: said beside the field
                form.add_error("public_reason", exc)
            else:
                self.message_user(request, "Public reason saved.", "success")
                return HttpResponseRedirect(reverse("admin:cases_case_change", args=[pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Public reason of case #{case.pk}",
            "case": case,
            "form": form,
        }
        return TemplateResponse(request, "admin/cases/case/reason.html", context)
