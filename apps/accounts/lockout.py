"""django-axes hooks: whose address a sign-in comes from, and the page a locked-out one gets."""

from __future__ import annotations

import ipaddress
import math
from datetime import timedelta

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def client_address(request: HttpRequest) -> str:
    """The address failures are counted against (with the user name).

    Behind TRUSTED_PROXIES reverse proxies the connection comes from the nearest proxy;
    each proxy appends the address it was reached from to X-Forwarded-For, so the client
    is that many entries from the right. Entries further left are whatever the client
    sent, and taking one of them would let anyone choose the address they are counted
    under.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    if not settings.TRUSTED_PROXIES:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < settings.TRUSTED_PROXIES:
        return remote
    candidate = hops[-settings.TRUSTED_PROXIES]
    try:
        # Stored in an inet column: a malformed value must not become a server error.
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """The lockout page: says when this user may sign in again from this address."""
    cool_off = get_cool_off(request)
    username = get_client_username(request, credentials)
    last_failure = (
        AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address)
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    # Tries during a lockout are not recorded (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT
    # is off), so the lockout ends a cool-off after the failure that started it.
    retry_at = (last_failure or timezone.now()) + cool_off
    wait = max(retry_at - timezone.now(), timedelta(0))
    response = render(
        request,
        "registration/locked_out.html",
        {
            "retry_at": retry_at,
            "minutes": max(1, math.ceil(wait.total_seconds() / 60)),
            "failure_limit": settings.AXES_FAILURE_LIMIT,
        },
        status=429,
    )
    response["Retry-After"] = str(math.ceil(wait.total_seconds()))
    return response
