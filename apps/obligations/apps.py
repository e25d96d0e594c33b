from django.apps import AppConfig


class ObligationsConfig(AppConfig):
    name = "apps.obligations"
    label = "obligations"
