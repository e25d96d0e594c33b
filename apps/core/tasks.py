from celery import shared_task

from apps.core import services


@shared_task(name="apps.core.tasks.complete_heartbeat")
def complete_heartbeat(heartbeat_id: int) -> bool:
    hostname = complete_heartbeat.request.hostname or "unknown"
    return services.heartbeat_complete(heartbeat_id=heartbeat_id, worker=hostname)


@shared_task(name="apps.core.tasks.beat_heartbeat")
def beat_heartbeat() -> None:
    services.heartbeat_request(origin="beat")
