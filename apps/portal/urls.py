from django.urls import include, path

from apps.portal import actions, crosswalk, exports, ics, reports, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("search/export/", exports.search_export, name="search-export"),
    path("instruments/<slug:slug>/", views.instrument, name="instrument"),
    path("instruments/<slug:slug>/export/", exports.instrument_export, name="instrument-export"),
    path("jurisdictions/<str:code>/", views.jurisdiction, name="jurisdiction"),
    path("compare/", views.compare, name="compare"),
    path("compare/export/", crosswalk.export, name="compare-export"),
    path("watchlist/", actions.watchlist, name="watchlist"),
    path("watchlist/export/", exports.watchlist_export, name="watchlist-export"),
    path(
        "watchlist/export/obligations/",
        exports.watchlist_obligations_export,
        name="watchlist-obligations-export",
    ),
    path("watchlist/follow/", actions.follow, name="follow"),
    path("watchlist/unfollow/", actions.unfollow, name="unfollow"),
    path("calendar/<str:token>.ics", ics.calendar, name="calendar"),
    path("report/", reports.report, name="report"),
    path("my-reports/", reports.my_reports, name="my-reports"),
    path("what-applies/", include("apps.portal.applicability_urls")),
]
