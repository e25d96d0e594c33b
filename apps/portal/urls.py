from django.urls import include, path

from apps.portal import actions, exports, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("search/export/", exports.search_export, name="search-export"),
    path("instruments/<slug:slug>/", views.instrument, name="instrument"),
    path("jurisdictions/<str:code>/", views.jurisdiction, name="jurisdiction"),
    path("compare/", views.compare, name="compare"),
    path("watchlist/", actions.watchlist, name="watchlist"),
    path("watchlist/export/", exports.watchlist_export, name="watchlist-export"),
    path("watchlist/follow/", actions.follow, name="follow"),
    path("watchlist/unfollow/", actions.unfollow, name="unfollow"),
    path("calendar/<str:token>.ics", exports.calendar, name="calendar"),
    path("report/", actions.report, name="report"),
    path("what-applies/", include("apps.portal.applicability_urls")),
]
