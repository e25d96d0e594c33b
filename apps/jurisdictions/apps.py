from django.apps import AppConfig


class JurisdictionsConfig(AppConfig):
    name = "apps.jurisdictions"
    label = "jurisdictions"
