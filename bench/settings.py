"""Settings of the processes `bench/run.py` starts: the project's own, plus the
baseline views (bench/urls.py) and a header that reports each request's queries."""

from tracker.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# Outermost, so the figures cover every other middleware too.
MIDDLEWARE = ["bench.baselines.ServerTiming", *MIDDLEWARE]  # noqa: F405
