"""What every benchmark of `make bench` shares: the figures (rows, percentiles, the
table), the processes it measures (gunicorn, the Celery worker) and sequential HTTP
series against them. The benchmarks are in bench/web.py and bench/watcher.py."""

from __future__ import annotations

import math
import socket
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.scale import Scale

ROOT = Path(__file__).resolve().parent.parent

PORTAL_MISSING = "not built yet (issue 11)"


@dataclass
class Iterations:
    """How much each benchmark does at a scale: the full run's budget is 15 minutes."""

    list_pages: int
    list_requests: int
    load_seconds: float
    search_repeats: int
    feed_limit: int
    feed_cap_seconds: float
    page_repeats: int
    check_pages: int
    changed_checks: int
    big_repeats: int
    claims: int
    worker_checks: int
    cap_seconds: float  # most time one series may take (searches run for seconds each)
    dispatch_repeats: int
    dispatch_timeout: float
    desk_repeats: int = 20  # requests per page of the editors' desk (benchmark 11)
    side_by_side_pages: int = 1000  # pages both watchers check (benchmark 13, issue 26)


ITERATIONS = {
    "full": Iterations(50, 100, 20, 2, 100, 120, 50, 600, 150, 5, 10_000, 600, 40, 2, 30),
    "tiny": Iterations(
        3, 4, 0.5, 1, 100, 20, 2, 10, 3, 1, 50, 10, 20, 1, 30, desk_repeats=2, side_by_side_pages=9
    ),
}


@dataclass
class Row:
    bench: str  # "1", "2", ... as numbered in issue 13
    name: str
    samples: int = 0
    p50: float | None = None  # milliseconds
    p95: float | None = None
    max: float | None = None
    throughput: float | None = None
    unit: str = "req/s"
    queries: float | None = None  # per request, where relevant
    target: str = ""
    met: bool | None = None  # None: no target on this row (a baseline, a detail)
    note: str = ""
    extra: dict = field(default_factory=dict)


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    if not ordered:
        return {"p50": None, "p95": None, "max": None}

    def at(q: float) -> float:
        # Nearest rank, ceil(q * n): a p95 of 20 samples is the 19th, a sample that
        # happened. (Rounding q * n + 0.5 made it the 20th, the max, half the time.)
        return ordered[max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))]

    return {"p50": at(0.50), "p95": at(0.95), "max": ordered[-1]}


def row_from(bench: str, name: str, samples_ms: list[float], seconds: float, **kw) -> Row:
    count = kw.pop("count", len(samples_ms))
    return Row(
        bench,
        name,
        samples=len(samples_ms),
        throughput=count / seconds if seconds else None,
        **percentiles(samples_ms),
        **kw,
    )


class Report:
    def __init__(self, scale: Scale) -> None:
        self.scale = scale
        self.rows: list[Row] = []
        self.info: dict = {}

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        print(f"  {format_row(row)}", flush=True)
        return row

    def missing(self, bench: str, name: str, note: str = PORTAL_MISSING) -> None:
        self.add(Row(bench, name, note=note))


def _num(value, digits: int = 1) -> str:
    if value is None:
        return "-"
    if value >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def format_row(row: Row) -> str:
    status = {True: "met", False: "MISSED", None: ""}[row.met]
    throughput = f"{_num(row.throughput)} {row.unit}" if row.throughput is not None else "-"
    queries = _num(row.queries) if row.queries is not None else "-"
    text = (
        f"{row.bench:<3} {row.name:<52} {_num(row.p50):>8} {_num(row.p95):>8} {_num(row.max):>8} "
        f"{throughput:>16} {queries:>6}  {row.target:<22} {status}"
    )
    return text + (f"  ({row.note})" if row.note else "")


def print_table(report: Report) -> None:
    print()
    print(
        f"{'#':<3} {'benchmark':<52} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
        f"{'throughput':>16} {'q/req':>6}  {'target':<22} status"
    )
    print("-" * 150)
    for row in report.rows:
        print(format_row(row))


# --- processes -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def peak_rss_mb(pid: int) -> float | None:
    """The process's peak resident set (VmHWM), in MB; None once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    import psutil

    try:
        return [child.pid for child in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


@contextmanager
def gunicorn(env: dict, workers: int):
    port = free_port()
    log = Path(env["TRACKER_LOCAL_DIR"]) / "gunicorn.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "tracker.wsgi:application", "--bind",
             f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning",
             "--timeout", "120"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        import httpx

        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health/", timeout=5).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not start; see {log}")
            time.sleep(0.2)
        yield proc, f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@contextmanager
def celery_worker(env: dict, log: Path):
    """The deployed worker (docker-compose.yml): prefork pool, default concurrency."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tracker", "worker", "--loglevel", "INFO",
             "--without-mingle", "--without-gossip"],
            cwd=ROOT, env={**env, "LOG_LEVEL": "INFO"}, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while b" ready." not in log.read_bytes():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the worker did not start; see {log}")
            time.sleep(0.1)
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@contextmanager
def celery_beat(env: dict, log: Path, schedule: Path):
    """The deployed beat (docker-compose.yml): it queues the dispatcher on its schedule."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tracker", "beat", "--loglevel", "INFO",
             "--schedule", str(schedule)],
            cwd=ROOT, env={**env, "LOG_LEVEL": "INFO"}, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


# --- HTTP series -----------------------------------------------------------------------


class Http:
    """Sequential GETs against the served app: client time, and the server's own figures
    (bench.baselines.ServerTiming) for queries per request."""

    def __init__(self, base: str, key: str, session: str | None = None) -> None:
        import httpx

        self.client = httpx.Client(base_url=base, timeout=120, trust_env=False)
        self.headers = {"Authorization": f"Bearer {key}"}
        if session:
            from django.conf import settings

            # The portal's pages are for signed-in readers (issue 11).
            self.client.cookies.set(settings.SESSION_COOKIE_NAME, session)

    def get(self, path: str, fresh: bool = False):
        # fresh: `Cache-Control: no-cache`, the answer computed again (apps.reading.cache).
        headers = {**self.headers, "Cache-Control": "no-cache"} if fresh else self.headers
        return self.client.get(path, headers=headers)

    def series(self, paths: list[str], cap_seconds: float = 600, fresh: bool = False) -> dict:
        samples, queries, server, sizes = [], [], [], []
        start = time.perf_counter()
        for path in paths:
            t0 = time.perf_counter()
            response = self.get(path, fresh)
            samples.append((time.perf_counter() - t0) * 1000)
            sizes.append(len(response.content))
            if response.status_code != 200:
                raise SystemExit(f"GET {path}: {response.status_code} {response.text[:300]}")
            queries.append(int(response.headers.get("X-Bench-Queries", 0)))
            server.append(float(response.headers.get("X-Bench-Ms", 0)))
            if time.perf_counter() - start > cap_seconds:
                break
        return {
            "samples": samples,
            "seconds": time.perf_counter() - start,
            "queries": statistics.mean(queries) if queries else None,
            "server_p95": percentiles(server)["p95"],
            "max_bytes": max(sizes, default=0),
        }

    def status(self, path: str) -> int:
        return self.get(path).status_code


def http_row(bench, name, result, **kw) -> Row:
    row = row_from(bench, name, result["samples"], result["seconds"], **kw)
    row.queries = result["queries"]
    row.extra["server_p95_ms"] = result["server_p95"]
    return row


def target(row: Row, text: str, met: bool) -> Row:
    row.target, row.met = text, met
    return row
