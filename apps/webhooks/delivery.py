"""Pushing published changes to clients' endpoints, outbox style.

An endpoint's `cursor` is the last AppliedChange id it has been given.
AppliedChange ids increase in commit order (apps.record.services), so "the
changes after the cursor, in id order" never skips a change committed later
and never repeats one that was delivered: each change reaches an endpoint once
on success, and again only when a delivery failed (or its outcome was lost),
which receivers see from the change ids they already hold.

One delivery is three steps, so that no database transaction stays open while
a receiver is slow, and every attempt leaves a row whatever happens:

1. claim (one short transaction): lock the endpoint, take its lease, pick the
   batch, record a `pending` WebhookDelivery;
2. POST the batch through the guarded HTTP client (apps.core.http: public
   addresses only, judged when the connection is opened, every DNS answer
   included), within one time budget;
3. settle (one short transaction): record the outcome; a success moves the
   cursor and clears the failure count, a failure schedules the next attempt
   with exponential backoff and disables the endpoint after
   WEBHOOKS_DISABLE_AFTER failures in a row.

A worker that dies between 1 and 3 leaves a pending row and a lease that
lapses; the next claim records that row as failed ("lost") before going on.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from apps.api.changes import items
from apps.api.models import ApiClient
from apps.core import http
from apps.core.http import AddressRefused, FetchError, check_url
from apps.record.models import AppliedChange
from apps.record.selectors import record_version
from apps.webhooks import signing
from apps.webhooks.models import Status, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

USER_AGENT = "ai-regulation-tracker/1.0 (+webhooks)"
# What is read of a receiver's answer (and then thrown away) so its connection can
# be reused; a longer answer closes the connection instead.
ANSWER_READ_LIMIT = 64 * 1024
# Batches one task sends before handing over to a fresh task, so a long backlog
# does not hold one worker process for long.
BATCHES_PER_RUN = 20
LOST = "no outcome recorded: the delivery stopped before it finished (worker stopped)"


def allow_private() -> bool:
    # The watcher's test-only switch (refused in production by settings.py): one
    # switch for every outgoing connection the service makes.
    return settings.SOURCES_ALLOW_PRIVATE


def budget_seconds() -> float:
    """The longest one POST may take, connect to last byte of the answer."""
    return http.budget_seconds(settings.WEBHOOKS_TIMEOUT)


def lease_seconds() -> float:
    # Longer than a POST can take, so a live delivery never loses its lease.
    return budget_seconds() + 60


def backoff_seconds(failures: int) -> int:
    """The wait before the next attempt after `failures` failures in a row."""
    first = settings.WEBHOOKS_RETRY_SECONDS
    return min(first * 2 ** max(failures - 1, 0), settings.WEBHOOKS_RETRY_MAX_SECONDS)


# -- registering ------------------------------------------------------------
def prepare(endpoint: WebhookEndpoint) -> str:
    """Give a new, unsaved endpoint its secret and starting point; returns the secret,
    which the caller shows once.

    It starts at the newest change: what was published before is in the changes feed.
    """
    endpoint.secret = signing.new_secret()
    endpoint.cursor = record_version()
    endpoint.kinds = sorted(set(endpoint.kinds or []))
    return endpoint.secret


def register(
    client: ApiClient, url: str, kinds: list[str] | None = None, description: str = ""
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret.

    The URL is judged by the address guard now (a clear refusal to whoever typed
    it) and again at every connect, since DNS answers may change.
    """
    check_url(url, allow_private=allow_private())
    endpoint = WebhookEndpoint(client=client, url=url, kinds=kinds or [], description=description)
    secret = prepare(endpoint)
    endpoint.save()
    return endpoint, secret


def reenable(endpoint: WebhookEndpoint) -> None:
    """Back in service, from where it stopped: the changes it missed come next."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        active=True,
        consecutive_failures=0,
        disabled_at=None,
        disabled_reason="",
        next_attempt_at=None,
    )


# -- which endpoints have something to do ----------------------------------
def due(now: dt.datetime | None = None) -> list[int]:
    """Active endpoints behind the newest change and not waiting out a backoff."""
    now = now or timezone.now()
    latest = record_version()
    return list(
        WebhookEndpoint.objects.filter(active=True, client__active=True, cursor__lt=latest)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# -- one delivery ------------------------------------------------------------
@dataclass(frozen=True)
class Attempt:
    endpoint_id: int
    delivery_id: int
    url: str
    secret: str
    body: bytes
    last_change_id: int


@dataclass(frozen=True)
class Answer:
    status: str
    status_code: int | None = None
    error: str = ""


@dataclass(frozen=True)
class Outcome:
    """What a run did: `state` is delivered, failed, refused, idle (nothing new), busy
    (another delivery holds it), waiting (backing off) or inactive."""

    state: str
    deliveries: int = 0
    retry_in: int | None = None  # seconds until the next attempt is due, after a failure
    more: bool = False  # delivered a full run of batches and more changes wait


def deliver(endpoint_id: int) -> Outcome:
    """Send the endpoint every change it has not had yet, batch by batch, in id order."""
    sent = 0
    for _ in range(BATCHES_PER_RUN):
        claimed = _claim(endpoint_id, timezone.now())
        if not isinstance(claimed, Attempt):
            return Outcome(claimed if not sent else Status.DELIVERED, sent)
        answer = _post(claimed)
        endpoint = _settle(claimed, answer)
        sent += 1
        if answer.status != Status.DELIVERED:
            retry_in = None
            if endpoint is not None and endpoint.active:
                retry_in = backoff_seconds(endpoint.consecutive_failures)
            return Outcome(answer.status, sent, retry_in=retry_in)
    return Outcome(Status.DELIVERED, sent, more=True)


def _claim(endpoint_id: int, now: dt.datetime) -> Attempt | str:
    with transaction.atomic():
        # skip_locked: another worker is claiming or settling this endpoint right now;
        # it will carry on where it is, this run has nothing to add.
        endpoint = (
            WebhookEndpoint.objects.select_for_update(skip_locked=True)
            .filter(pk=endpoint_id)
            .first()
        )
        if endpoint is None:
            return "busy" if WebhookEndpoint.objects.filter(pk=endpoint_id).exists() else "inactive"
        if endpoint.lease_until is not None and endpoint.lease_until > now:
            return "busy"
        _settle_lost(endpoint, now)
        if (
            not endpoint.active
            or not ApiClient.objects.filter(pk=endpoint.client_id, active=True).exists()
        ):
            return "inactive"
        if endpoint.next_attempt_at is not None and endpoint.next_attempt_at > now:
            # Backing off after a failure: a publication or the sweep does not cut the
            # wait short; the retry queued for that time (or the sweep after it) sends.
            return "waiting"
        after = AppliedChange.objects.filter(pk__gt=endpoint.cursor)
        wanted = after.filter(target__in=endpoint.kinds) if endpoint.kinds else after
        batch = list(wanted.select_related("case").order_by("pk")[: settings.WEBHOOKS_BATCH_SIZE])
        if not batch:
            # Changes of kinds it does not want are passed over, so the cursor moves
            # on and the next run does not scan them again.
            latest = after.aggregate(latest=Max("pk"))["latest"]
            if latest is not None:
                endpoint.cursor = latest
                endpoint.save(update_fields=["cursor"])
            return "idle"
        delivery = WebhookDelivery(
            endpoint=endpoint,
            change_ids=[change.pk for change in batch],
            attempt=endpoint.consecutive_failures + 1,
            started_at=now,
        )
        try:
            with transaction.atomic():
                payload = items(batch)
            body = json.dumps(
                {"changes": payload}, cls=DjangoJSONEncoder, separators=(",", ":")
            ).encode()
        except Exception as exc:
            # A fault of ours, not the receiver's; still a recorded, counted failure, so
            # it shows in the log and the endpoint is not silently stuck behind it.
            logger.exception("webhook payload for endpoint %s failed", endpoint.pk)
            delivery.status = Status.FAILED
            delivery.error = f"the payload could not be built: {type(exc).__name__}"
            delivery.finished_at = now
            delivery.save()
            _count_failure(endpoint, now, delivery.error)
            endpoint.save()
            return Status.FAILED
        delivery.save()
        endpoint.lease_until = now + dt.timedelta(seconds=lease_seconds())
        endpoint.save(update_fields=["lease_until"])
    return Attempt(endpoint.pk, delivery.pk, endpoint.url, endpoint.secret, body, batch[-1].pk)


def _post(attempt: Attempt) -> Answer:
    """POST one signed batch; every way it can end is an Answer, never an exception."""
    guarded = allow_private()
    headers = {
        "User-Agent": USER_AGENT,
        "Content-Type": "application/json",
        signing.DELIVERY_HEADER: str(attempt.delivery_id),
        **signing.headers(attempt.secret, attempt.body),
    }
    try:
        with http.time_budget(budget_seconds()):
            # The URL's syntax first: a private literal or local name is refused here,
            # before any DNS lookup or socket.
            check_url(attempt.url, allow_private=guarded)
            with http.exchange(
                http.shared_transport(guarded),
                "POST",
                attempt.url,
                headers=headers,
                content=attempt.body,
                timeout=float(settings.WEBHOOKS_TIMEOUT),
                # Not the URL: a receiver's path or query often holds its own secret.
                label="the endpoint",
            ) as response:
                # The answer's body is not kept (it is the receiver's, and may be
                # anything); a short one is read so the connection can be reused.
                http.discard_body(response, ANSWER_READ_LIMIT)
                code = response.status_code
    except AddressRefused as exc:
        return Answer(Status.REFUSED, error=str(exc)[:500])
    except FetchError as exc:
        return Answer(Status.FAILED, error=str(exc)[:500])
    if 200 <= code < 300:
        return Answer(Status.DELIVERED, code)
    # Redirects are not followed: the endpoint's URL is the one that was judged.
    return Answer(Status.FAILED, code, f"HTTP {code} (a 2xx answer is success)")


def _settle(attempt: Attempt, answer: Answer) -> WebhookEndpoint | None:
    now = timezone.now()
    with transaction.atomic():
        endpoint = (
            WebhookEndpoint.objects.select_for_update().filter(pk=attempt.endpoint_id).first()
        )
        if endpoint is None:
            return None  # deleted while the POST was in flight, its log with it
        delivery = WebhookDelivery.objects.select_for_update().get(pk=attempt.delivery_id)
        if delivery.status != Status.PENDING:
            return endpoint  # already recorded as lost by a later claim
        delivery.status = answer.status
        delivery.status_code = answer.status_code
        delivery.error = answer.error
        delivery.finished_at = now
        delivery.duration_ms = max(int((now - delivery.started_at).total_seconds() * 1000), 0)
        delivery.save()
        endpoint.lease_until = None
        if answer.status == Status.DELIVERED:
            endpoint.cursor = max(endpoint.cursor, attempt.last_change_id)
            endpoint.consecutive_failures = 0
            endpoint.next_attempt_at = None
            endpoint.last_success_at = now
        else:
            _count_failure(endpoint, now, answer.error or answer.status)
        endpoint.save()
    if answer.status != Status.DELIVERED:
        logger.warning(
            "webhook delivery %s to endpoint %s %s: %s",
            attempt.delivery_id,
            attempt.endpoint_id,
            answer.status,
            answer.error,
        )
    return endpoint


def _count_failure(endpoint: WebhookEndpoint, now: dt.datetime, error: str) -> None:
    endpoint.consecutive_failures += 1
    limit = settings.WEBHOOKS_DISABLE_AFTER
    if endpoint.consecutive_failures >= limit:
        endpoint.active = False
        endpoint.disabled_at = now
        endpoint.disabled_reason = (
            f"disabled after {endpoint.consecutive_failures} failed deliveries in a row; "
            f"the last: {error}"
        )[:500]
        endpoint.next_attempt_at = None
    else:
        delay = backoff_seconds(endpoint.consecutive_failures)
        endpoint.next_attempt_at = now + dt.timedelta(seconds=delay)


def _settle_lost(endpoint: WebhookEndpoint, now: dt.datetime) -> None:
    """Pending rows under a lapsed lease: their worker died; each is a failure."""
    lost = list(endpoint.deliveries.filter(status=Status.PENDING).order_by("pk"))
    for delivery in lost:
        delivery.status = Status.FAILED
        delivery.error = LOST
        delivery.finished_at = now
        delivery.save(update_fields=["status", "error", "finished_at"])
        _count_failure(endpoint, now, LOST)
    if lost:
        endpoint.lease_until = None
        endpoint.save()
