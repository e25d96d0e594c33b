from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "apps.api"
    label = "api"
    verbose_name = "API clients"

    def ready(self):
        # drf-spectacular finds its extensions by their import: the schema's description
        # of the `include=` fields (apps.api.schema.IncludedFields).
        from apps.api import schema  # noqa: F401
