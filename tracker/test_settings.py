"""The small override the test suite runs with (see pyproject's pytest section)."""

from tracker.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests run many short connections; persistent ones would outlive test databases.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Django names the test database "test_" + NAME, and a kept database (--reuse-db)
# leaves NAME pointing at it when the session ends. A second session in the same
# process, as each of mutmut's forked children runs, would then create and migrate
# "test_test_…" from scratch; a fixed name reuses the one database instead.
DATABASES["default"].setdefault("TEST", {})["NAME"] = f"test_{DATABASES['default']['NAME']}"  # noqa: F405
LOGGING["root"]["level"] = "WARNING"  # noqa: F405

# Messages queued by tests without a worker must not wait in the folder that
# `make run`'s worker reads; the layout matches settings.py so a worker started
# by a test with TRACKER_LOCAL_DIR=TEST_LOCAL_DIR reads the same folder.
import tempfile as _tempfile  # noqa: E402

TEST_LOCAL_DIR = _tempfile.mkdtemp(prefix="tracker-test-local-")
if CELERY_BROKER_URL.startswith("filesystem://"):  # noqa: F405
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": f"{TEST_LOCAL_DIR}/broker/queue",
        "data_folder_out": f"{TEST_LOCAL_DIR}/broker/queue",
        "control_folder": f"{TEST_LOCAL_DIR}/broker/control",
        "store_processed": False,
    }
    for _folder in ("queue", "control"):
        Path(TEST_LOCAL_DIR, "broker", _folder).mkdir(parents=True, exist_ok=True)  # noqa: F405

# Throttle counters and other cached state stay inside one test process: a
# shared Redis would carry counts between runs (tests that need Redis say so).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
