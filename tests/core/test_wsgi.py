"""The WSGI entry point gunicorn loads (Dockerfile, docker-compose.yml, make bench)."""

from __future__ import annotations

import subprocess
import sys

from tests.paths import REPO


def test_the_wsgi_application_loads_every_view_and_freezes_start_up_objects():
    # In a process of its own: freezing the test runner's objects would change
    # what every later test's garbage collection does.
    code = (
        "import gc, sys\n"
        "import tracker.wsgi\n"
        "assert 'apps.api.views' in sys.modules and 'apps.portal.views' in sys.modules\n"
        "print(gc.get_freeze_count())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120
    )

    assert out.returncode == 0, out.stderr[-2000:]
    assert int(out.stdout.split()[-1]) > 10_000
