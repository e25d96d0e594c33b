from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from apps.core import health as probes
from apps.core import services
from apps.core.models import Heartbeat


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    database = probes.database_status()
    broker = probes.broker_status()
    body: dict[str, object] = {"database": database, "broker": broker}
    if database == "ok":
        last = (
            Heartbeat.objects.filter(completed_at__isnull=False)
            .order_by("-completed_at")
            .values_list("completed_at", flat=True)
            .first()
        )
        body["last_worker_heartbeat"] = last.isoformat() if last else None
    # A dead broker degrades the service (no background work) but pages still
    # render, so the web process stays in rotation; a dead database does not.
    if database != "ok":
        body["status"] = "error"
        return JsonResponse(body, status=503)
    body["status"] = "ok" if broker == "ok" else "degraded"
    return JsonResponse(body, status=200)


@require_POST
@staff_member_required
def request_heartbeat(request: HttpRequest) -> JsonResponse:
    beat = services.heartbeat_request(origin=Heartbeat.Origin.WEB)
    return JsonResponse({"heartbeat": beat.pk}, status=202)


def _error_page(request: HttpRequest, status: int, heading: str, text: str):
    """An error page inside the part of the site the reader was in: the admin or the portal."""
    from django.contrib import admin
    from django.shortcuts import render

    in_admin = request.path.startswith("/admin/")
    context = {
        "base": "admin/base_site.html" if in_admin else "portal/base.html",
        "heading": heading,
        "text": text,
        "title": heading,
        **(admin.site.each_context(request) if in_admin else {}),
    }
    return render(request, "errors/page.html", context, status=status)


def forbidden(request: HttpRequest, exception=None):
    reason = str(exception) if exception and str(exception) else ""
    return _error_page(
        request,
        403,
        "You may not do this",
        reason
        or "Your account's role does not allow this page or action. "
        "Ask an administrator if you need it.",
    )


def not_found(request: HttpRequest, exception=None):
    return _error_page(
        request,
        404,
        "Nothing here",
        "There is no published page at this address. It may have been removed, or the link "
        "may be mistyped.",
    )


def favicon(request: HttpRequest):
    """The site's icon, for browsers that ask for /favicon.ico (the admin, the API docs).

    Resolved per request: the static file's hashed name exists only after collectstatic.
    """
    from django.shortcuts import redirect
    from django.templatetags.static import static

    return redirect(static("portal/favicon.svg"), permanent=True)
