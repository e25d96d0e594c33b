from django.contrib import admin
from django.urls import include, path

from apps.core import views as core_views

urlpatterns = [
    path("health/", core_views.health, name="health"),
    path("ops/heartbeat/", core_views.request_heartbeat, name="ops-heartbeat"),
    path("admin/", admin.site.urls),
    path("api/", include("apps.api.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("apps.portal.urls")),
]
