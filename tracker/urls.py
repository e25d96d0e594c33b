from django.contrib import admin
from django.urls import include, path

from apps.core import views as core_views

urlpatterns = [
    path("health/", core_views.health, name="health"),
    # Browsers ask for it on every page that names no icon (the API docs, the admin).
    path("favicon.ico", core_views.favicon),
    path("ops/heartbeat/", core_views.request_heartbeat, name="ops-heartbeat"),
    path("admin/", admin.site.urls),
    path("api/", include("apps.api.urls")),
    path("accounts/", include("apps.accounts.urls")),
    path("", include("apps.portal.urls")),
]

# Error pages inside the admin or the portal, with a way back (not bare text).
handler403 = "apps.core.views.forbidden"
handler404 = "apps.core.views.not_found"
