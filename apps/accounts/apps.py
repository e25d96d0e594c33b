from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"

    def ready(self) -> None:
        from apps.accounts.roles import ensure_roles

        post_migrate.connect(ensure_roles, dispatch_uid="accounts.ensure_roles")
