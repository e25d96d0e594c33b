"""Recording a check, and the desk's verification queue (apps.cases.verification).

A check is an editor's word that they read a source and found the row's facts
there; it needs no reviewer, so it is recorded at once through
apps.record.services.verify, never proposed in a case. The page is mixed into
the instrument and jurisdiction admins at <id>/verify/; the queue lives at
/admin/cases/case/verification/, each row one click from a case ("Verify or
correct") that lands on this page with the case named.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from apps.cases import policy
from apps.cases.models import OPEN_STATES, Case
from apps.cases.policy import Act
from apps.cases.row_pickers import RowKeyField
from apps.cases.verification import queue
from apps.core.models import Citation
from apps.record import services as record

CHECKED_TARGETS = {"instrument", "jurisdiction"}


class CheckForm(forms.Form):
    # Not required here: the service refuses what is missing, in its own words.
    # Searched by title or typed by key, never a list of every citation (issue 31).
    citation = RowKeyField(
        kind="citation",
        queryset=Citation.objects.all(),
        required=False,
        help_text="The source you read. It joins the row's citations if it is not one yet.",
    )
    checked_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The day you read it; never a day ahead.",
    )
    locator = forms.CharField(
        max_length=300,
        required=False,
        help_text="Where in the source the facts stand: article, section, paragraph or page.",
    )
    states = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="What it states",
        help_text="What the source says on this row's facts, in your own words; copy no sentences.",
    )


class VerificationPagesMixin:
    target = ""

    def get_urls(self):
        urls = super().get_urls()
        if self.target not in CHECKED_TARGETS:
            return urls
        info = self.model._meta.app_label, self.model._meta.model_name
        page = self.admin_site.admin_view(self.verify_view)
        return [path("<int:object_id>/verify/", page, name="{}_{}_verify".format(*info)), *urls]

    def verify_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        refusal = policy.check(request.user, Act.PROPOSE)
        if refusal is not None:
            raise PermissionDenied(refusal.reason)
        row = (
            self.model.objects.published()
            .select_related("verified_against")
            .prefetch_related("citations")
            .filter(pk=object_id)
            .first()
        )
        if row is None:
            raise Http404("No published row has this id.")
        case = _open_case(request.GET.get("case") or request.POST.get("case"))
        info = self.model._meta.app_label, self.model._meta.model_name
        record_url = reverse("admin:{}_{}_record".format(*info), args=[row.pk])
        own = row.citations.all()
        initial = {"checked_on": timezone.localdate()}
        if len(own) == 1:
            initial["citation"] = own[0]
        form = CheckForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                record.verify(
                    target=self.target,
                    row=row,
                    citation=data["citation"],
                    checked_on=data["checked_on"],
                    locator=data["locator"],
                    states=data["states"],
                    user=request.user,
                    case=case,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, f"Check of {row} on {data['checked_on']} recorded.")
                return HttpResponseRedirect(record_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Record a check of {row}",
            "row": row,
            "form": form,
            "case": case,
            "own_citations": own,
            "record_url": record_url,
            "correct_url": reverse(
                "admin:cases_case_propose_update", args=[case.pk, self.target, row.pk]
            )
            if case is not None
            else None,
        }
        return TemplateResponse(request, "admin/cases/verify.html", context)


def _open_case(raw: str | None) -> Case | None:
    if not raw or not str(raw).isdigit():
        return None
    return Case.objects.filter(pk=int(raw), state__in=OPEN_STATES).first()


def queue_view(admin_site, request: HttpRequest) -> HttpResponse:
    refusal = policy.check(request.user, Act.PROPOSE)
    if refusal is not None:
        raise PermissionDenied(refusal.reason)
    due = queue()
    context = {
        **admin_site.each_context(request),
        "opts": Case._meta,
        "title": "Rows to check",
        "due": due,
        "count": sum(len(rows) for rows in due.values()),
        "may_propose": True,
    }
    return TemplateResponse(request, "admin/cases/verification.html", context)
