from django.apps import AppConfig


class InstrumentsConfig(AppConfig):
    name = "apps.instruments"
    label = "instruments"
