"""Mounted at accounts/: invitations, and Django's sign-in, sign-out and password views."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from apps.accounts import views
from apps.accounts.forms import QueuedPasswordResetForm

urlpatterns = [
    path("invitation/<str:token>/", views.accept_invitation, name="accept-invitation"),
    # Ahead of django.contrib.auth.urls, at the same path: the reset mail goes via the worker.
    path(
        "password_reset/",
        auth_views.PasswordResetView.as_view(form_class=QueuedPasswordResetForm),
        name="password_reset",
    ),
    path("", include("django.contrib.auth.urls")),
]
