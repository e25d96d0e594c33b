"""A reader's reports: "Report a problem" opens a case for the editors, "My reports" follows it."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse

from apps.cases import reports
from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction
from apps.portal.actions import own_page


class ReportForm(forms.Form):
    page = forms.CharField(max_length=500, widget=forms.HiddenInput, required=False)
    message = forms.CharField(
        label="What is wrong or missing?",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Editors read every report; they may write back to you.",
    )


def about(page: str) -> tuple[Instrument | None, Jurisdiction | None]:
    """The published instrument or jurisdiction a portal page shows, if it shows one:
    the report goes to whoever answers for that jurisdiction."""
    try:
        match = resolve(urlsplit(page).path)
    except Resolver404:
        return None, None
    if match.view_name == "portal:instrument":
        found = (
            Instrument.objects.published()
            .select_related("jurisdiction")
            .filter(slug=match.kwargs["slug"])
            .first()
        )
        return found, found.jurisdiction if found else None
    if match.view_name == "portal:jurisdiction":
        return None, Jurisdiction.objects.published().filter(code=match.kwargs["code"]).first()
    return None, None


@login_required
def report(request: HttpRequest) -> HttpResponse:
    # Only our own pages: a report never records, links to, nor sends the reader to another site.
    page = own_page(request, request.GET.get("page", ""))
    form = ReportForm(request.POST or None, initial={"page": page})
    if request.method == "POST" and form.is_valid():
        page = own_page(request, form.cleaned_data["page"] or "")
        instrument, jurisdiction = about(page) if page else (None, None)
        try:
            reports.open_report(
                reporter=request.user,
                message=form.cleaned_data["message"],
                url=request.build_absolute_uri(page) if page else "",
                page=page,
                instrument=instrument,
                jurisdiction=jurisdiction,
            )
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(
                request, "Thank you: your report is with the editors. Follow it in My reports."
            )
            return HttpResponseRedirect(page or reverse("portal:home"))
    return render(request, "portal/report.html", {"form": form, "page": page})


@login_required
def my_reports(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/my_reports.html", {"reports": reports.reports_of(request.user)})
