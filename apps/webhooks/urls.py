"""Included under /api/v1/ by apps.api.urls, in its `api` namespace."""

from django.urls import path

from apps.webhooks import api

urlpatterns = [
    path("webhooks/", api.EndpointList.as_view(), name="webhook-list"),
    path("webhooks/<uuid:endpoint>/", api.EndpointDetail.as_view(), name="webhook-detail"),
    path(
        "webhooks/<uuid:endpoint>/deliveries/",
        api.DeliveryList.as_view(),
        name="webhook-deliveries",
    ),
]
