"""The API as apps.api.urls serves it, with the webhook routes included under /api/v1/."""

from django.urls import include, path

from apps.api.urls import v1

urlpatterns = [
    path(
        "api/",
        include(([path("v1/", include([*v1, path("", include("apps.webhooks.urls"))]))], "api")),
    ),
]
