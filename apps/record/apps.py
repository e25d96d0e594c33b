from django.apps import AppConfig


class RecordConfig(AppConfig):
    """The record: the registry of curated rows, the one write path and the audit trail."""

    name = "apps.record"
    label = "record"
