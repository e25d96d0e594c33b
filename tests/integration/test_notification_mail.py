"""A case notification leaves the web process as a task and a real worker sends it."""

from __future__ import annotations

import pytest
from django.conf import settings

from apps.cases import services
from tests.processes import celery_worker, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_an_assignment_mail_is_sent_by_the_worker_after_commit(cast, tmp_path):
    if not settings.CELERY_BROKER_URL.startswith("filesystem://"):
        pytest.skip("CELERY_BROKER_URL is set: the embedded broker is not in use")
    outbox = tmp_path / "mail"
    case = services.case_open(title="Mail me", kind="correction", created_by=cast["editor"])
    with celery_worker(
        tmp_path / "worker.log",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(outbox),
    ):
        services.case_assign(case=case, assignee=cast["editor2"], actor=cast["editor"])
        wait_for(
            lambda: _mine(outbox, case),
            timeout=30,
            what="the worker to write the notification",
        )
    # Other tests' notifications may wait in the test broker; this one is sent once.
    [message] = _mine(outbox, case)
    assert "To: editor2@example.org" in message


def _mine(outbox, case) -> list[str]:
    if not outbox.exists():
        return []
    subject = f"Subject: Case #{case.pk} assigned to you"
    return [text for p in outbox.iterdir() if subject in (text := p.read_text())]
