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
