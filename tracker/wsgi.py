import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
application = get_wsgi_application()

# Import every view now (Django otherwise loads the URLconf on the first request),
# then leave what start-up made out of the cyclic garbage collector's full passes.
# A full pass over those hundreds of thousands of objects took about 75 ms, from
# time to time, inside an ordinary request: the API list's p95 (bench/RESULTS.md).
# Objects made by requests are collected as before.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018 - imported for its side effect
gc.freeze()
