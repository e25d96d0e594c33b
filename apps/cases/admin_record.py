"""The editors' record pages: an instrument or jurisdiction as published, read-only, timeline
first, with a "Propose a change" button per section that opens a case for it.

Mixed into the curated admins (apps.cases.admin_curated). Editors and reviewers
land here from the lists; administrators keep the direct-edit form one link away.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.main import ORDER_VAR, PAGE_VAR
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from apps.cases import policy, services
from apps.cases.models import Case, Kind, ProposedChange
from apps.cases.policy import Act
from apps.core import admin_lists
from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction, Membership
from apps.reading import pickers, search
from apps.reading.on_a_day import instrument_detail, instrument_page
from apps.record.selectors import row_history

RECORD_TARGETS = {"instrument", "jurisdiction"}
# What a section's button may propose: (target, whether a row is named).
PROPOSABLE = {"instrument", "obligation", "amendment", "jurisdiction"}
# The admin's search of the kinds the portal searches.
LISTED = {"instrument": pickers.listed_instruments, "obligation": pickers.listed_obligations}


class RecordPagesMixin:
    target = ""

    def get_urls(self):
        urls = super().get_urls()
        if self.target not in RECORD_TARGETS:
            return urls
        info = self.model._meta.app_label, self.model._meta.model_name
        view = self.admin_site.admin_view
        return [
            path(
                "<int:object_id>/record/", view(self.record_view), name="{}_{}_record".format(*info)
            ),
            path(
                "<int:object_id>/propose/",
                view(require_POST(self.start_case_view)),
                name="{}_{}_propose".format(*info),
            ),
            *urls,
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Editors and reviewers read the record page; the form is the
        # administrators' escape hatch, reached from the record page.
        if (
            request.method == "GET"
            and self.target in RECORD_TARGETS
            and object_id.isdigit()
            and self.has_view_permission(request)
            and not self._may_edit(request)
        ):
            info = self.model._meta.app_label, self.model._meta.model_name
            return HttpResponseRedirect(
                reverse("admin:{}_{}_record".format(*info), args=[object_id])
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def get_search_results(self, request, queryset, search_term):
        """Instruments and obligations are searched as the portal searches them (the stored
        vectors, identifiers, short names; titles by trigram when no word matches) and
        listed by its rank (apps.core.admin_lists.EstimatedChangeList).

        Like the portal's pages, a page of the list is ranked among the candidates of
        the rows up to it, not among every match ("artificial" matches a fifth of a
        large record): the list then says it shows the best of about so many matches.
        A list sorted by a column shows any match, so it ranks them all."""
        listed = LISTED.get(self.target)
        if listed is None or not search_term.strip():
            return super().get_search_results(request, queryset, search_term)
        if ORDER_VAR in request.GET:
            return listed(search_term, queryset).rows, False
        page = request.GET.get(PAGE_VAR, "1")
        stop = (int(page) if page.isdigit() and int(page) > 0 else 1) * self.list_per_page
        found = listed(search_term, queryset, stop)
        admin_lists.note_bounded(request, found.matches, search.candidate_limit(stop))
        return found.rows, False

    # -- the page ---------------------------------------------------------------
    def record_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "may_propose": policy.check(request.user, Act.PROPOSE) is None,
            "may_edit": self._may_edit(request),
            "history": list(row_history(self.target, object_id)[:30]),
            "open_cases": _open_cases(self.target, object_id),
        }
        if self.target == "instrument":
            context.update(_instrument_context(object_id))
            template = "admin/cases/record/instrument.html"
        else:
            context.update(_jurisdiction_context(object_id))
            template = "admin/cases/record/jurisdiction.html"
        context["title"] = str(context["row"])
        return TemplateResponse(request, template, context)

    def start_case_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Open a case about this row, assigned to the editor, and go to the proposal form."""
        policy.require(request.user, Act.PROPOSE)
        row = self.model.objects.filter(pk=object_id, retired_at__isnull=True).first()
        if row is None:
            raise Http404("No published row has this id.")
        target = request.POST.get("target", self.target)
        about = request.POST.get("row", "")
        if target not in PROPOSABLE or (about and not about.isdigit()):
            raise Http404("Nothing of that kind can be proposed here.")
        instrument = row if self.target == "instrument" else None
        verifying = request.POST.get("purpose") == "verify"
        if verifying:
            # From the verification queue: a case to check the row, or correct it.
            title = f"Verify or correct {row}"
        elif about or target == self.target:
            title = f"Proposed change to {row}" if target == self.target else f"{target}: {row}"
        else:
            title = f"New {target} for {row}"
        # Work in one place: a case of mine about this instrument that is still
        # being worked takes the proposal rather than a new case.
        case = (
            Case.objects.filter(policy.BEING_WORKED, instrument=instrument, assignee=request.user)
            .order_by("-pk")
            .first()
            if instrument is not None
            else None
        )
        if case is not None:
            messages.info(request, f"Added to your open case #{case.pk}.")
        else:
            try:
                case = services.case_open(
                    title=title[:300],
                    kind=Kind.CORRECTION,
                    created_by=request.user,
                    instrument=instrument,
                )
                services.case_assign(case=case, assignee=request.user, actor=request.user)
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
                return HttpResponseRedirect(request.path.replace("/propose/", "/record/"))
            messages.success(request, f"Case #{case.pk} opened and assigned to you.")
        if verifying:
            info = self.model._meta.app_label, self.model._meta.model_name
            url = reverse("admin:{}_{}_verify".format(*info), args=[row.pk])
            return HttpResponseRedirect(f"{url}?case={case.pk}")
        if target == self.target and not about:
            about = str(row.pk)
        if about:
            url = reverse("admin:cases_case_propose_update", args=[case.pk, target, int(about)])
        else:
            url = reverse("admin:cases_case_propose", args=[case.pk, target])
            if instrument is not None:
                field = "target_instrument" if target == "amendment" else "instrument"
                url += f"?{field}={instrument.pk}"
        return HttpResponseRedirect(url)


def _open_cases(target: str, row_id: int) -> list[Case]:
    """Open cases that already propose a change to this row: work not to duplicate."""
    ids = ProposedChange.objects.filter(target=target, row_id=row_id).values("case")
    return list(Case.objects.open().filter(pk__in=ids).select_related("assignee"))


def _instrument_context(object_id: int) -> dict:
    slug = Instrument.objects.filter(pk=object_id).values_list("slug", flat=True).first()
    if slug is None:
        raise Http404("No instrument has this id.")
    read = instrument_page(instrument_detail(slug))
    return {
        "row": read.instrument,
        "derived": read.status,
        "timeline": read.timeline,
        "obligations": read.obligations,
        "incoming": read.incoming,
        "outgoing": read.outgoing,
    }


def _jurisdiction_context(object_id: int) -> dict:
    membership = Membership.objects.select_related("group", "member")
    row = (
        Jurisdiction.objects.select_related("parent", "verified_against")
        .prefetch_related(
            Prefetch("memberships", queryset=membership),
            Prefetch("member_of", queryset=membership),
            "citations",
        )
        .filter(pk=object_id)
        .first()
    )
    if row is None:
        raise Http404("No jurisdiction has this id.")
    instruments = Instrument.objects.published().filter(jurisdiction=row).order_by("title")
    return {"row": row, "instruments": list(instruments)}
