"""`make bench`: the benchmarks of issue 13 on a large generated record; see bench/README.md.

    .venv/bin/python -m tracker.devstack exec -- .venv/bin/python bench/run.py [--scale full]

Creates its own database (`tracker_bench`, dropped and made again; never the dev or
test database), migrates it, fills it with bench/scale.py, starts what it measures
(gunicorn, a Celery worker, a throw-away redis-server, a local site of watched pages)
and prints one table: every figure next to its baseline from the same run, because
the machine is shared and absolute times drift. Writes the figures as JSON
(bench/results/<date>T<time>-<scale>.json unless --out).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: bench/ is on the path, not the project

from bench import checks  # noqa: E402
from bench.bulk import bench_snapshot  # noqa: E402
from bench.desk import bench_desk  # noqa: E402
from bench.harness import (  # noqa: E402
    ITERATIONS,
    Http,
    Report,
    Row,
    children,
    gunicorn,
    peak_rss_mb,
    print_table,
)
from bench.scale import SCALES, fill  # noqa: E402
from bench.side_by_side import VENV_VARIABLE, bench_side_by_side  # noqa: E402
from bench.watcher import (  # noqa: E402
    bench_big_page,
    bench_checks,
    bench_dispatch,
    bench_memory,
    bench_worker,
)
from bench.web import (  # noqa: E402
    bench_api_list,
    bench_api_load,
    bench_applicability,
    bench_feed,
    bench_portal_pages,
    bench_search,
    signed_in_session,
)

# --- the run ---------------------------------------------------------------------------


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import psutil

    git = shutil.which("git")
    commit = (
        subprocess.run(
            [git, "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        if git
        else ""
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": commit,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def migrated_template(admin: str) -> str:
    """An empty, migrated database to copy (CREATE DATABASE ... TEMPLATE, under a second)
    instead of migrating each run (5 to 15 s); named by a hash of the migrations, so a
    new migration makes a new one. Made under a temporary name and renamed when done,
    so a run that stops half-way never leaves a half-migrated template."""
    import hashlib

    import psycopg

    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("apps/*/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    name = f"tracker_bench_template_{digest.hexdigest()[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        found = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE 'tracker\\_bench\\_template\\_%'"
        ).fetchall()
        if (name,) in found:
            return name
        for (old,) in found:  # templates of older migrations
            conn.execute(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')
        making = f"{name}_{os.getpid()}"
        conn.execute(f'CREATE DATABASE "{making}"')
    print(f"migrating a template database ({name}) ...", flush=True)
    env = {**os.environ, "DATABASE_URL": database_url(making),
           "DJANGO_SETTINGS_MODULE": "tracker.settings", "LOG_LEVEL": "WARNING"}  # fmt: skip
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    with psycopg.connect(admin, autocommit=True) as conn:
        try:
            conn.execute(f'ALTER DATABASE "{making}" RENAME TO "{name}"')
        except psycopg.errors.DuplicateDatabase:  # another run made it meanwhile
            conn.execute(f'DROP DATABASE "{making}" WITH (FORCE)')
    return name


def database_url(name: str) -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    parser.add_argument("--database", default=None, help="default: tracker_bench[_tiny]")
    parser.add_argument("--out", default=None, help="JSON output path")
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument(
        "--reuse-database",
        action="store_true",
        help="measure the record a --keep-database run left (no new generation); kept",
    )
    parser.add_argument(
        "--only",
        default="",
        help="the benchmarks to run, by number (e.g. 3,4): for profiling one miss",
    )
    parser.add_argument(
        "--web-workers", type=int, default=None, help="gunicorn workers (deployed: 3; tiny: 1)"
    )
    parser.add_argument(
        "--changedetection-venv",
        default=os.environ.get(VENV_VARIABLE),
        help=f"a virtual environment with changedetection.io, for benchmark 13 "
        f"(default: ${VENV_VARIABLE}; without one its baseline is not run)",
    )
    args = parser.parse_args(argv)
    args.only = {n.strip() for n in args.only.split(",") if n.strip()}
    if args.reuse_database:
        args.keep_database = True
    scale, it = SCALES[args.scale], ITERATIONS[args.scale]
    name = args.database or ("tracker_bench" if args.scale == "full" else "tracker_bench_tiny")
    if "DATABASE_URL" not in os.environ:
        raise SystemExit("DATABASE_URL is not set: run through `python -m tracker.devstack exec`")
    if not name.startswith("tracker_bench"):
        raise SystemExit("the benchmarks write only into a database named tracker_bench*")
    report = Report(scale)
    report.info["started"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    report.info["machine"] = machine()
    started = time.perf_counter()

    import psycopg

    # CREATE and DROP DATABASE from the maintenance database: the one DATABASE_URL names
    # (dev, test) is never written to, and need not exist.
    admin = database_url("postgres")
    t0 = time.perf_counter()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    args.generate = not (args.reuse_database and exists)
    if args.generate:
        template = migrated_template(admin)
    with psycopg.connect(admin, autocommit=True) as conn:
        if args.generate:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        report.info["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
    report.info["migrate_seconds"] = round(time.perf_counter() - t0, 1)
    local = Path(tempfile.mkdtemp(prefix="tracker-bench-"))
    try:
        with ExitStack() as stack:
            broker = stack.enter_context(checks.redis_broker(str(local)))
            if broker is None:
                raise SystemExit("redis-server is needed (the deployed broker): apt install redis")
            env = {
                **os.environ,
                "DATABASE_URL": database_url(name),
                "DJANGO_SETTINGS_MODULE": "bench.settings",
                "DEBUG": "false",  # as deployed; queries are counted by bench.baselines
                "LOG_LEVEL": "WARNING",
                "TRACKER_LOCAL_DIR": str(local),
                "CELERY_BROKER_URL": broker,
                "REDIS_URL": broker.rsplit("/", 1)[0] + "/1",  # throttle counters, as deployed
                "API_KEY_RATE": "100000000/minute",  # the load must not be throttled
                # The watched pages live on 127.0.0.1, for this throw-away database only.
                "SOURCES_ALLOW_PRIVATE": "true",
                "SOURCES_HOST_SPACING": "0",
                "PYTHONUNBUFFERED": "1",
            }
            os.environ.update(env)
            run(report, args, scale, it, env, local, stack)
    finally:
        if not args.keep_database:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    report.info["seconds"] = round(time.perf_counter() - started, 1)
    report.info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print_table(report)
    print(f"\n{scale.name} scale, {report.info['seconds']:.0f} s in all; "
          f"load average {report.info['machine']['load_average_at_start']} at start, "
          f"{report.info['load_average_at_end']} at end")  # fmt: skip
    # One file per run (started at, UTC), so runs of one day stay side by side.
    stamp = report.info["started"][:16].replace(":", "")
    out = Path(args.out) if args.out else ROOT / "bench" / "results" / f"{stamp}-{scale.name}.json"
    # Two runs started in one minute (one --only each) must not overwrite each other.
    taken = 1
    while not args.out and out.exists():
        taken += 1
        out = out.with_name(f"{stamp}-{scale.name}-{taken}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {"scale": asdict(scale), "info": report.info, "rows": [asdict(r) for r in report.rows]},
            indent=1,
            ensure_ascii=False,
        )
    )
    print(f"written: {out}")
    return 0


def run(report, args, scale, it, env, local, stack) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    if args.generate:
        if not scale.tiny:
            # The curated seed under the generated rows: the pages of real instruments
            # (eu-ai-act) and groups (EU) are measured with their real shape.
            print("loading the seed ...", flush=True)
            call_command("seed_load", verbosity=0)
        print(f"generating the {scale.name} record ...", flush=True)
        counts = fill(env["DATABASE_URL"], scale, quiet=scale.tiny)
        report.info["record"] = counts
        rows = sum(v for k, v in counts.items() if k != "seconds")
        report.add(Row("0", f"generate the {scale.name} record (COPY)", samples=1,
                       throughput=rows / counts["seconds"], unit="rows/s",
                       note=f"{rows:,} rows in {counts['seconds']:.0f} s"))  # fmt: skip
    else:
        print(f"measuring the record kept in {env['DATABASE_URL'].rsplit('/', 1)[-1]}")

    from apps.api import keys
    from apps.api.models import ApiClient
    from bench.baselines import ENCODER

    # orjson comes with the dev extra; without it the baselines use json (slower).
    report.info["baseline_encoder"] = ENCODER

    client, _ = ApiClient.objects.get_or_create(name="bench")  # kept by --reuse-database
    _, key = keys.issue(client, "bench", ["read"])
    receive, send = multiprocessing.Pipe(duplex=False)
    # Requests to the watched pages, counted by the site (benchmark 13).
    hits = multiprocessing.get_context("fork").Array("d", 3)
    pages = max(it.check_pages, it.side_by_side_pages)
    server = multiprocessing.get_context("fork").Process(
        target=checks.serve, args=(pages, send, hits), daemon=True
    )
    server.start()
    stack.callback(server.terminate)
    site = f"http://127.0.0.1:{receive.recv()}"

    from django.db import connections

    connections.close_all()  # gunicorn and the children open their own
    workers = args.web_workers or (1 if scale.tiny else 3)
    web, base = stack.enter_context(gunicorn(env, workers))
    http = Http(base, key, signed_in_session())
    print("benchmarks:", flush=True)
    phases = report.info.setdefault("phase_seconds", {})

    web_peaks = report.info.setdefault("web_peak_rss_mb_after", {})
    web_peaks["start"] = max(
        filter(None, (peak_rss_mb(p) for p in children(web.pid))), default=None
    )

    def phase(name, fn, *a):
        t0 = time.perf_counter()
        out = fn(*a)
        phases[name] = round(time.perf_counter() - t0, 1)
        # Which load raised the web workers' peak (benchmark 9's evidence).
        peaks = [peak_rss_mb(p) for p in children(web.pid)]
        web_peaks[name] = max((p for p in peaks if p is not None), default=None)
        return out

    def wanted(number: str) -> bool:
        return not args.only or number in args.only

    if wanted("1") or wanted("2"):
        phase("1 api list", bench_api_list, report, http, it)
    if wanted("2"):
        phase("2 api load", bench_api_load, report, base, key, it)
    if wanted("3"):
        phase("3 search", bench_search, report, http, it)
    if wanted("4"):
        phase("4 feed", bench_feed, report, http, it)
    if wanted("5"):
        phase("5 portal pages", bench_portal_pages, report, http, it)
    if wanted("10"):
        phase("10 applicability", bench_applicability, report, http, it)
    if wanted("11"):
        phase("11 bulk snapshot", bench_snapshot, report, env, local)
    if wanted("12"):
        phase("12 desk", bench_desk, report, base, key, it)
    web_workers = [m for m in (peak_rss_mb(p) for p in children(web.pid)) if m is not None]
    web_main = peak_rss_mb(web.pid)
    if wanted("8"):
        phase("8 dispatch", bench_dispatch, report, env, it)
    if wanted("7"):
        phase("7 big page", bench_big_page, report, it, 1_000_000 if not scale.tiny else 100_000)
    if wanted("6") or wanted("9"):
        groups = phase("6 checks", bench_checks, report, site, it)
        worker_main, worker_pool = phase(
            "6/9 worker", bench_worker, report, env, local, site, groups, it
        )
        if wanted("9"):
            bench_memory(report, web_main, web_workers, worker_main, worker_pool)
    if wanted("13"):
        phase("13 side by side", bench_side_by_side, report, env, local, site, hits, it,
              args.changedetection_venv)  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
