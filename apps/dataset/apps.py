from django.apps import AppConfig


class DatasetConfig(AppConfig):
    name = "apps.dataset"
    label = "dataset"
