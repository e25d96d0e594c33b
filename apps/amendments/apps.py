from django.apps import AppConfig


class AmendmentsConfig(AppConfig):
    name = "apps.amendments"
    label = "amendments"

    def ready(self) -> None:
        from apps.amendments import signals  # noqa: F401
