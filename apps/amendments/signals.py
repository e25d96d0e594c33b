"""Keep the cached status columns in step with the facts they are derived from."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from apps.amendments.models import Amendment
from apps.amendments.status import refresh_status
from apps.instruments.models import Instrument, InstrumentEvent


def _refresh_later(instrument_id: int | None) -> None:
    if instrument_id is None:
        return

    def run() -> None:
        instrument = Instrument.objects.filter(pk=instrument_id).first()
        if instrument is not None:
            refresh_status(instrument)

    # After commit: a rolled-back edit must not leave a status behind. A
    # refresh that finds nothing new writes nothing.
    transaction.on_commit(run)


@receiver([post_save, post_delete], sender=InstrumentEvent)
def _event_changed(sender: type, instance: InstrumentEvent, **_: object) -> None:
    _refresh_later(instance.instrument_id)


@receiver([post_save, post_delete], sender=Amendment)
def _amendment_changed(sender: type, instance: Amendment, **_: object) -> None:
    _refresh_later(instance.target_instrument_id)
