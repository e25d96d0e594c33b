import logging

from celery import shared_task
from django.core.mail import send_mail

from apps.core import services

logger = logging.getLogger(__name__)


@shared_task(name="apps.core.tasks.complete_heartbeat")
def complete_heartbeat(heartbeat_id: int) -> bool:
    hostname = complete_heartbeat.request.hostname or "unknown"
    return services.heartbeat_complete(heartbeat_id=heartbeat_id, worker=hostname)


@shared_task(name="apps.core.tasks.beat_heartbeat")
def beat_heartbeat() -> None:
    services.heartbeat_request(origin="beat")


# The mail every app sends (case notices, invitations, digests) goes through this one
# task. Its registered name is the one it had when it lived in apps.cases, so that
# messages already queued by a running deployment are still understood after an upgrade.
@shared_task(
    name="apps.cases.tasks.send_notification",
    bind=True,
    ignore_result=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=5,
    soft_time_limit=60,
)
def send_notification(self, to: list[str], subject: str, body: str) -> None:
    """Send one case notification; a mail server that is down is retried with backoff."""
    try:
        send_mail(subject, body, None, to)
    except OSError:
        logger.warning(
            "case notification not sent (attempt %d): %s", self.request.retries + 1, subject
        )
        raise
