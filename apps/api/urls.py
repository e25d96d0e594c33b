from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from apps.api import feed, lookups, views
from apps.api.docs import public, unknown

app_name = "api"

router = SimpleRouter()
router.register("jurisdictions", views.JurisdictionView, basename="jurisdiction")
router.register("instruments", views.InstrumentView, basename="instrument")
router.register("obligations", views.ObligationView, basename="obligation")
router.register("amendments", views.AmendmentView, basename="amendment")

v1 = [
    *router.urls,
    path("changes/", feed.ChangesFeed.as_view(), name="changes"),
    path("search/", lookups.SearchView.as_view(), name="search"),
    path("compare/", lookups.CompareView.as_view(), name="compare"),
    path("coverage/", lookups.CoverageView.as_view(), name="coverage"),
    path("", include("apps.webhooks.urls")),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", public(SpectacularAPIView).as_view(), name="schema"),
    path(
        "schema/swagger/",
        public(SpectacularSwaggerView).as_view(url_name="api:schema"),
        name="swagger",
    ),
    path(
        "schema/redoc/", public(SpectacularRedocView).as_view(url_name="api:schema"), name="redoc"
    ),
    re_path(r"^.*$", unknown),
]
