from csp.constants import NONCE, SELF
from csp.decorators import csp_update
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from apps.api import applicability, bulk, feed, lookups, views
from apps.api.docs import RedocPage, index, public, redoc_bundle, unknown, v1_index

app_name = "api"

router = SimpleRouter()
router.register("jurisdictions", views.JurisdictionView, basename="jurisdiction")
router.register("instruments", views.InstrumentView, basename="instrument")
router.register("obligations", views.ObligationView, basename="obligation")
router.register("amendments", views.AmendmentView, basename="amendment")

v1 = [
    path("", v1_index, name="v1-index"),
    *router.urls,
    path("changes/", feed.ChangesFeed.as_view(), name="changes"),
    path("search/", lookups.SearchView.as_view(), name="search"),
    path("compare/", lookups.CompareView.as_view(), name="compare"),
    path("coverage/", lookups.CoverageView.as_view(), name="coverage"),
    path("applicability/", applicability.ApplicabilityView.as_view(), name="applicability"),
    path("snapshots/", bulk.SnapshotList.as_view(), name="snapshots"),
    path(
        "snapshots/<str:snapshot>/<str:name>",
        bulk.SnapshotDownload.as_view(),
        name="snapshot-file",
    ),
    path("", include("apps.webhooks.urls")),
]

urlpatterns = [
    path("", index, name="index"),
    path("v1/", include(v1)),
    path("schema/", public(SpectacularAPIView).as_view(), name="schema"),
    # The split view serves Swagger UI's start-up as a script file: no inline script;
    # Swagger UI's styles come from its stylesheet file; the page's one <style>
    # element carries the nonce (templates/drf_spectacular/swagger_ui.html).
    path(
        "schema/swagger/",
        csp_update({"style-src": [NONCE]})(
            public(SpectacularSwaggerSplitView).as_view(url_name="api:schema")
        ),
        name="swagger",
    ),
    # Redoc writes its styles at run time, each <style> with the page's nonce (the
    # template hands it over), and searches in a blob worker: on this one page, the
    # policy allows styles with that nonce and blob workers (never scripts).
    path(
        "schema/redoc/",
        csp_update({"style-src": [NONCE], "worker-src": [SELF, "blob:"]})(
            public(RedocPage).as_view(url_name="api:schema")
        ),
        name="redoc",
    ),
    path("schema/redoc/redoc.standalone.js", redoc_bundle, name="redoc-bundle"),
    # (?s): an address holding a newline is still unknown, and answered as such.
    re_path(r"^[\s\S]*$", unknown),
]
