"""The project's URLs, plus the baselines each benchmark is measured next to."""

from django.urls import path

from bench import baselines
from tracker.urls import urlpatterns as project

urlpatterns = [
    path("bench/baseline/instruments/", baselines.instruments, name="bench-instruments"),
    path("bench/baseline/applicability/", baselines.applicability, name="bench-applicability"),
    path("bench/baseline/changes/", baselines.changes, name="bench-changes"),
    *project,
]
