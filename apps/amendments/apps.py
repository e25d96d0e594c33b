from django.apps import AppConfig


class AmendmentsConfig(AppConfig):
    name = "apps.amendments"
    label = "amendments"
