"""The editors' coverage page: published obligations without applicability conditions where
thresholds are known to matter (apps.reading.coverage), each one click from a proposal.

Mixed into the obligations' curated admin (apps.cases.admin_curated), at
/admin/obligations/obligation/coverage/. Editors and reviewers only: the page is
for proposing conditions, so it asks the same question as the propose button.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path

from apps.cases import policy
from apps.cases.policy import Act
from apps.reading.coverage import gaps


class CoveragePageMixin:
    target = ""

    def get_urls(self):
        urls = super().get_urls()
        if self.target != "obligation":
            return urls
        info = self.model._meta.app_label, self.model._meta.model_name
        page = self.admin_site.admin_view(self.coverage_view)
        return [path("coverage/", page, name="{}_{}_coverage".format(*info)), *urls]

    def coverage_view(self, request: HttpRequest) -> HttpResponse:
        refusal = policy.check(request.user, Act.PROPOSE)
        if refusal is not None:
            raise PermissionDenied(refusal.reason)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Obligations without conditions where thresholds matter",
            "gaps": gaps(),
            "may_propose": True,
        }
        return TemplateResponse(request, "admin/cases/coverage.html", context)
