"""The "What applies" page and saved profiles, under /what-applies/ (names in the
portal's namespace)."""

from django.urls import path

from apps.portal import applicability, profiles

urlpatterns = [
    path("", applicability.page, name="applicability"),
    path("export/", applicability.page_export, name="applicability-export"),
    path("profiles/", profiles.save, name="profile-save"),
    path("profiles/<int:pk>/", profiles.profile, name="profile"),
    path("profiles/<int:pk>/export/", profiles.export, name="profile-export"),
    path("profiles/<int:pk>/follow/", profiles.follow, name="profile-follow"),
    path("profiles/<int:pk>/delete/", profiles.delete, name="profile-delete"),
]
