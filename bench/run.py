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
import math
import multiprocessing
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import checks  # noqa: E402
from bench.scale import SCALES, Scale, fill  # noqa: E402

PORTAL_MISSING = "not built yet (issue 11)"
# Ten typical searches: English phrases and operators, other languages (the portal's
# readers type titles as they know them), an identifier and a CJK title.
QUERIES = [
    "artificial intelligence",
    "facial recognition",
    "high-risk systems provider",
    '"human oversight"',
    "generative models -guidelines",
    "transparency obligations deployer",
    "Datenschutz",
    "reconnaissance faciale",
    "32024R1689",
    "人工知能",
]


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


ITERATIONS = {
    "full": Iterations(50, 100, 20, 2, 100, 120, 50, 600, 150, 5, 10_000, 600, 40, 2, 30),
    "tiny": Iterations(3, 4, 0.5, 1, 100, 20, 2, 10, 3, 1, 50, 10, 20, 1, 30),
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

    def get(self, path: str):
        return self.client.get(path, headers=self.headers)

    def series(self, paths: list[str], cap_seconds: float = 600) -> dict:
        samples, queries, server = [], [], []
        start = time.perf_counter()
        for path in paths:
            t0 = time.perf_counter()
            response = self.get(path)
            samples.append((time.perf_counter() - t0) * 1000)
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


# --- the benchmarks ----------------------------------------------------------------------


def bench_api_list(report: Report, http: Http, it: Iterations) -> None:
    """1. The instrument list, page size 100, include=obligations,identifiers, a filter."""
    from apps.instruments.models import Instrument

    matching = Instrument.objects.published().filter(legal_force="binding").count()
    pages = max(1, min(it.list_pages, matching // 100))
    order = [1 + (n * 7) % pages for n in range(it.list_requests)]  # spread, repeatable
    api = [
        f"/api/v1/instruments/?legal_force=binding&include=obligations,identifiers"
        f"&page_size=100&page={p}"
        for p in order
    ]
    base = [
        f"/bench/baseline/instruments/?legal_force=binding&page_size=100&page={p}" for p in order
    ]
    # The same rows, or the comparison means nothing.
    got = [i["id"] for i in http.get(api[0]).json()["results"]]
    want = [i["slug"] for i in http.get(base[0]).json()["results"]]
    if got != want:
        raise SystemExit("the API list and its baseline disagree on the rows of a page")
    http.series(api[:3] + base[:3])  # warm both (connections, caches) outside the figures
    a = http_row(
        "1", "API instruments list (100, include, filter)", http.series(api, it.cap_seconds)
    )
    b = http_row(
        "1", "  baseline: bare view, .values() + orjson", http.series(base, it.cap_seconds)
    )
    target(a, "p95 <= 50 ms", a.p95 <= 50)
    report.add(a)
    report.add(b)
    report.info["list_paths"] = (api, base)


def bench_api_load(report: Report, base_url: str, key: str, it: Iterations) -> None:
    """2. The same two endpoints under concurrent load from a separate process."""
    api, baseline = report.info["list_paths"]
    rows = []
    for name, paths in (
        ("API list under load (gunicorn)", api),
        ("  baseline under load", baseline),
    ):
        out = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "load.py"), "--base", base_url, "--seconds",
             str(it.load_seconds), "--concurrency", "4", "--header",
             f"Authorization: Bearer {key}", *sorted(set(paths))],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        result = json.loads(out.stdout)
        row = row_from("2", name, result["latencies"], result["seconds"])
        row.note = f"4 connections, {result['errors']} errors" + (
            f": {result['first_errors']}" if result["errors"] else ""
        )
        rows.append(report.add(row))
    api_row, base_row = rows
    ratio = api_row.throughput / base_row.throughput if base_row.throughput else 0
    api_row.extra["ratio_to_baseline"] = round(ratio, 3)
    target(api_row, ">= 0.5x baseline", ratio >= 0.5)
    api_row.note += f"; {ratio:.2f}x baseline"


def bench_search(report: Report, http: Http, it: Iterations) -> None:
    """3. Full-text search, in the API and the portal, for ten typical queries."""
    from urllib.parse import quote

    from apps.instruments import search as record_search

    api = [f"/api/v1/search/?q={quote(q)}" for q in QUERIES] * it.search_repeats
    http.series(api[:1])  # warm the process (a search can take seconds: no whole warm pass)
    result = http.series(api, it.cap_seconds)
    row = http_row("3", "API search, ten queries", result)
    per_query: dict[str, list[float]] = {}
    for q, ms in zip(QUERIES * it.search_repeats, result["samples"], strict=False):
        per_query.setdefault(q, []).append(ms)
    row.extra["p50_by_query_ms"] = {q: round(statistics.median(v), 1) for q, v in per_query.items()}
    target(row, "p95 <= 50 ms", row.p95 <= 50)
    report.add(row)
    # Baseline: the same two searches' SQL alone, in this process (no HTTP, no API layer).
    samples = []
    start = time.perf_counter()
    for q in (QUERIES * it.search_repeats)[: len(result["samples"])]:  # as many as the API's
        t0 = time.perf_counter()
        found = record_search.search(q)
        list(found.instruments.select_related(None).values("slug", "title", "rank")[:20])
        list(found.obligations.values("key", "instrument__slug", "rank")[:20])
        samples.append((time.perf_counter() - t0) * 1000)
    report.add(
        row_from("3", "  baseline: the search queries alone", samples, time.perf_counter() - start)
    )
    portal = [f"/search/?q={quote(q)}" for q in QUERIES] * it.search_repeats
    if not portal_built(report, "3", "portal search with facets", http, portal[0]):
        return
    # No warm-up here: a portal search costs as much as ten of the API's (RESULTS.md),
    # and the whole run must keep to its 15 minutes.
    row = http_row(
        "3", "portal search with facets, ten queries", http.series(portal, it.cap_seconds)
    )
    report.add(target(row, "p95 <= 50 ms", row.p95 <= 50))


def portal_built(report: Report, bench: str, name: str, http: Http, path: str) -> bool:
    """Whether the portal serves `path` (issue 11); if not, its row says why."""
    from django.apps import apps

    if not apps.is_installed("apps.portal"):
        report.missing(bench, name)
        return False
    status = http.status(path)
    if status == 404:
        report.missing(bench, name)
        return False
    if status != 200:
        report.missing(bench, name, f"GET {path} answers {status}; not measured")
        return False
    return True


def signed_in_session() -> str:
    """A session of a signed-in reader, as the portal's sign-in page would make."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User

    user = User.objects.filter(username="bench-reader").first() or User.objects.create_user(
        "bench-reader", "reader@example.org", "bench-reader-pw"
    )  # a kept record (--reuse-database) has it already
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = next(
        (b for b in settings.AUTHENTICATION_BACKENDS if b.endswith("ModelBackend")),
        settings.AUTHENTICATION_BACKENDS[-1],
    )
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def bench_feed(report: Report, http: Http, it: Iterations) -> None:
    """4. Walking the changes feed from the start with ?after=, page by page."""
    from apps.cases.models import AppliedChange

    total = AppliedChange.objects.count()
    for name, path in (
        ("changes feed walk, per page of 100", "/api/v1/changes/"),
        ("  baseline: bare view, .values() + orjson", "/bench/baseline/changes/"),
    ):
        samples, queries, after, seen = [], [], 0, 0
        start = time.perf_counter()
        while True:
            t0 = time.perf_counter()
            response = http.get(f"{path}?after={after}&limit={it.feed_limit}")
            samples.append((time.perf_counter() - t0) * 1000)
            page = response.json()
            queries.append(int(response.headers["X-Bench-Queries"]))
            seen += len(page["results"])
            after = page["last_id"]
            if not page["more"] or time.perf_counter() - start > it.feed_cap_seconds:
                break
        seconds = time.perf_counter() - start
        row = row_from("4", name, samples, seconds, count=seen, unit="changes/s")
        row.queries = statistics.mean(queries)
        row.note = f"{seen:,} of {total:,} changes in {len(samples)} pages, {seconds:.0f} s"
        if path.startswith("/api/"):
            target(row, "p95 <= 20 ms", row.p95 <= 20)
        report.add(row)


def bench_portal_pages(report: Report, http: Http, it: Iterations) -> None:
    """5. The portal's instrument and jurisdiction pages; baseline: the API's detail."""
    from django.db.models import Count

    from apps.instruments.models import Instrument
    from apps.jurisdictions.models import Jurisdiction

    group = (
        Jurisdiction.objects.filter(code="EU").values_list("code", flat=True).first()
        or Jurisdiction.objects.annotate(n=Count("memberships"))
        .order_by("-n", "code")
        .values_list("code", flat=True)
        .first()
    )
    slug = (
        Instrument.objects.filter(slug="eu-ai-act").values_list("slug", flat=True).first()
        or Instrument.objects.order_by("id").values_list("slug", flat=True).first()
    )
    everything = "identifiers,events,parties,obligations,amendments,citations"
    pages = (
        ("instrument page", f"/instruments/{slug}/",
         f"/api/v1/instruments/{slug}/?include={everything}", "p95 <= 50 ms"),
        ("jurisdiction page", f"/jurisdictions/{group}/",
         f"/api/v1/jurisdictions/{group}/?include=members,member_of,citations", ""),
    )  # fmt: skip
    for name, portal, api, goal in pages:
        if portal_built(report, "5", f"portal {name}", http, portal):
            http.series([portal] * 2)
            row = http_row(
                "5", f"portal {name} ({portal})", http.series([portal] * it.page_repeats)
            )
            if goal:
                target(row, goal, row.p95 <= 50)
            report.add(row)
        http.series([api] * 2)
        report.add(
            http_row(
                "5", "  baseline: API detail, all includes", http.series([api] * it.page_repeats)
            )
        )


def _check_series(ids: list[int], expect: str) -> dict:
    from django.db import connection

    from apps.sources.services import check_source

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    samples, outcomes = [], {}
    start = time.perf_counter()
    with connection.execute_wrapper(count):
        for source_id in ids:
            t0 = time.perf_counter()
            outcome = check_source(source_id).outcome
            samples.append((time.perf_counter() - t0) * 1000)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    if outcomes != {expect: len(ids)}:
        raise SystemExit(f"expected only {expect} checks, got {outcomes}")
    return {
        "samples": samples,
        "seconds": time.perf_counter() - start,
        "queries": queries / len(ids),
    }


def bench_checks(report: Report, site: str, it: Iterations) -> dict[str, list[int]]:
    """6. Source checks, one process: unchanged (200 with the same body, 304) and changed,
    next to a plain keep-alive GET loop."""
    import hashlib

    import httpx

    from apps.sources.models import Source
    from apps.sources.services import check_source

    later = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)  # never due for the dispatcher benchmark
    groups = {}
    for kind, count in (("notice", it.check_pages), ("etag", it.check_pages),
                        ("changing", it.changed_checks)):  # fmt: skip
        made = Source.objects.bulk_create(
            Source(name=f"Local {kind} {n}", url=f"{site}/{kind}/{n}", kind="html",
                   check_interval_minutes=60, next_check_at=later)
            for n in range(count)
        )  # fmt: skip
        groups[kind] = [s.pk for s in made]
        for source_id in groups[kind]:
            check_source(source_id)  # the first snapshot
    urls = [f"{site}/notice/{n}" for n in range(it.check_pages)]
    with httpx.Client(trust_env=False) as client:
        client.get(urls[0])
        samples = []
        start = time.perf_counter()
        for url in urls:
            t0 = time.perf_counter()
            hashlib.sha256(client.get(url).content).hexdigest()
            samples.append((time.perf_counter() - t0) * 1000)
        plain = row_from("6", "  baseline: keep-alive GET + sha256 loop", samples,
                         time.perf_counter() - start, unit="checks/s")  # fmt: skip
    for kind, name, expect in (
        ("notice", "check, unchanged (200, same body)", "unchanged"),
        ("etag", "check, unchanged (304 Not Modified)", "not_modified"),
        ("changing", "check, changed (snapshot, diff, case)", "changed"),
    ):
        result = _check_series(groups[kind], expect)
        row = row_from("6", name, result["samples"], result["seconds"], unit="checks/s")
        row.queries = result["queries"]
        if expect != "changed":
            target(row, ">= 200 checks/s", row.throughput >= 200)
        report.add(row)
    report.add(plain)
    return groups


def bench_big_page(report: Report, it: Iterations, size: int) -> None:
    """7. Extract, hash and diff of a 1 MB page (the watcher's work on a changed check)."""
    import difflib
    import hashlib

    from selectolax.lexbor import LexborHTMLParser

    from apps.sources import diffing
    from apps.sources.extraction import extract

    before_body, after_body = checks.big_page(1, size), checks.big_page(2, size)
    before = extract("html", before_body).text
    plain_before = LexborHTMLParser(before_body).body.text(separator="\n").splitlines()
    samples, floor = [], []
    for _ in range(it.big_repeats):
        t0 = time.perf_counter()
        text = extract("html", after_body).text
        diffing.content_hash(text)
        diffing.diff_lines(before, text)
        diffing.significance(before, text)
        samples.append((time.perf_counter() - t0) * 1000)
        # The libraries' floor: parse and text, hash, a plain line diff.
        t0 = time.perf_counter()
        plain = LexborHTMLParser(after_body).body.text(separator="\n")
        hashlib.sha256(plain.encode()).hexdigest()
        list(difflib.unified_diff(plain_before, plain.splitlines(), lineterm=""))
        floor.append((time.perf_counter() - t0) * 1000)
    label = f"{len(after_body) / 1e6:.1f} MB"
    row = row_from("7", f"extract + hash + diff, {label} page", samples, sum(samples) / 1000,
                   unit="pages/s")  # fmt: skip
    report.add(target(row, "<= 500 ms", row.max <= 500))
    report.add(
        row_from("7", "  baseline: lexbor text + sha256 + difflib", floor, sum(floor) / 1000,
                 unit="pages/s")
    )  # fmt: skip


DISPATCH_CHILD = """
import json, os, sys, time
sys.path.insert(0, {root!r})
import django
django.setup()
from unittest import mock
from apps.sources import dispatch
queued = []
# The claim itself is what is timed: the queue (one Redis message per check) is
# measured by the Celery benchmarks; here the messages are only counted.
with mock.patch("apps.sources.tasks.check_source_task.apply_async",
                lambda *a, **k: queued.append(1)):
    from django.db import OperationalError, connection
    # Bounded: a claim of 10,000 sources took minutes (bench/RESULTS.md), and the
    # whole of `make bench` must end within 15.
    connection.cursor().execute("SET statement_timeout = %s", [{timeout_ms}])
    print("ready", flush=True)
    sys.stdin.readline()  # "go": every dispatcher starts together
    t0 = time.perf_counter()
    try:
        planned, timed_out = dispatch.dispatch_due(limit={limit}), False
    except OperationalError:
        planned, timed_out = [], True
    seconds = time.perf_counter() - t0
print(json.dumps({{"ids": [p[0] for p in planned], "seconds": seconds, "queued": len(queued),
                  "timed_out": timed_out}}))
"""


def _reset_due() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "UPDATE sources_source SET next_check_at = '2020-01-01', claim_expires_at = NULL "
            "WHERE name LIKE 'Gazette notice %%'"
        )
        cur.execute("DELETE FROM sources_hostslot")


def _dispatchers(env: dict, limit: int, count: int, timeout: float) -> list[dict]:
    """`count` dispatcher processes, each claiming up to `limit`, starting together."""
    code = DISPATCH_CHILD.format(root=str(ROOT), limit=limit, timeout_ms=int(timeout * 1000))
    procs = [
        subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                         stdin=subprocess.PIPE, text=True)
        for _ in range(count)
    ]  # fmt: skip
    for proc in procs:
        if proc.stdout.readline().strip() != "ready":
            raise SystemExit("a dispatcher process did not start")
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    started = time.perf_counter()
    results = []
    for proc in procs:
        try:
            results.append(json.loads(proc.communicate(timeout=timeout + 5)[0]))
        except subprocess.TimeoutExpired:
            # Past its statement timeout, the claim's time is in Python (building the
            # bulk update): stop it here, so the run keeps to its 15 minutes.
            proc.kill()
            proc.communicate()
            seconds = time.perf_counter() - started
            results.append({"ids": [], "seconds": seconds, "queued": 0, "timed_out": True})
    return results


def bench_dispatch(report: Report, env: dict, it: Iterations) -> None:
    """8. The dispatcher claiming 10,000 due sources; two at once never claim one twice."""
    from django.db import connection, transaction

    from apps.sources.models import Source

    # Only the generated sources are due: the seed's and the local pages' wait.
    Source.objects.exclude(name__startswith="Gazette notice ").update(
        next_check_at=dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
    )
    due = Source.objects.filter(name__startswith="Gazette notice ").count()
    claims = min(it.claims, due)
    # A tenth first: how the claim's time grows with its size.
    for size in (max(1, claims // 10), claims):
        samples, floor, timed_out = [], [], False
        for _ in range(it.dispatch_repeats):
            _reset_due()
            (one,) = _dispatchers(env, size, 1, it.dispatch_timeout)
            if one["timed_out"]:
                timed_out = True
                samples.append(one["seconds"] * 1000)
                break
            if len(one["ids"]) != size:
                raise SystemExit(f"the dispatcher claimed {len(one['ids'])}, not {size}")
            samples.append(one["seconds"] * 1000)
        for _ in range(len(samples)):
            _reset_due()
            # The floor: one statement claiming as many rows, nothing per host or per row.
            t0 = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(
                    """UPDATE sources_source SET next_check_at = now() + interval '6 hours',
                           claim_expires_at = now() + interval '10 minutes'
                       WHERE id IN (SELECT id FROM sources_source
                                    WHERE active AND (next_check_at IS NULL
                                                      OR next_check_at <= now()
                                                      OR claim_expires_at < now())
                                    ORDER BY LEAST(next_check_at, claim_expires_at) NULLS FIRST
                                    LIMIT %s FOR UPDATE SKIP LOCKED)
                       RETURNING id""",
                    [size],
                )
                cur.fetchall()
            floor.append((time.perf_counter() - t0) * 1000)
        row = row_from("8", f"dispatch_due claiming {size:,} due sources", samples,
                       sum(samples) / 1000, count=0 if timed_out else size * len(samples),
                       unit="claims/s")  # fmt: skip
        row.note = "queue stubbed (messages counted)"
        if timed_out:
            row.p50 = row.p95 = None
            row.throughput = None
            row.note = (
                f"stopped after {row.max / 1000:.0f} s (the limit: {it.dispatch_timeout:.0f} s)"
            )
        if size == claims:
            target(row, "<= 1 s", not timed_out and row.max <= 1000)
        report.add(row)
        name = "  baseline: one UPDATE ... SKIP LOCKED RETURNING"
        seconds = sum(floor) / 1000
        report.add(row_from("8", name, floor, seconds, count=size * len(floor), unit="claims/s"))
    _reset_due()
    # Two at once, each asking for six tenths of a tenth: they overlap in time.
    each = max(1, claims // 10 * 6 // 10)
    both = _dispatchers(env, each, 2, it.dispatch_timeout)
    ids = [set(d["ids"]) for d in both]
    overlap = len(ids[0] & ids[1])
    claimed = len(ids[0] | ids[1])
    note = f"{claimed:,} claimed, {len(ids[0]):,} + {len(ids[1]):,}"
    row = Row("8", "two dispatchers at once: sources claimed twice", samples=2, note=note)
    row.extra.update(overlap=overlap, claimed=claimed)
    expected = min(due, 2 * each)
    report.add(target(row, "0 claimed twice", overlap == 0 and claimed == expected))
    row.name += f": {overlap}"
    _reset_due()
    # Leave the generated sources not due, so the worker below checks only local pages.
    Source.objects.filter(name__startswith="Gazette notice ").update(
        next_check_at=dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
    )


def bench_worker(report: Report, env: dict, local: Path, site: str, groups, it: Iterations):
    """6 (worker path) and 9: checks dispatched to the deployed Celery worker, which also
    checks a few changing 1 MB pages, so its peak memory covers the heaviest check."""
    from django.utils import timezone

    from apps.sources.dispatch import dispatch_due
    from apps.sources.models import Source

    big = Source.objects.bulk_create(
        Source(name=f"Local big {n}", url=f"{site}/big/{n}", kind="html",
               check_interval_minutes=60, next_check_at=dt.datetime(2100, 1, 1, tzinfo=dt.UTC))
        for n in range(0 if it.check_pages < 100 else 3)  # not in CI's smoke run: seconds
    )  # fmt: skip
    ids = (groups["notice"] + groups["etag"])[: it.worker_checks]
    with celery_worker(env, local / "worker.log") as worker:
        rounds = []
        for batch in ([s.pk for s in big], ids, [s.pk for s in big]):
            if not batch:
                rounds.append((0, 0, 0.0))
                continue
            Source.objects.filter(pk__in=batch).update(next_check_at=None)
            start_at = timezone.now()
            start = time.perf_counter()
            planned = dispatch_due(limit=len(batch))
            if len(planned) != len(batch):
                raise SystemExit(f"dispatched {len(planned)} of {len(batch)}")
            deadline = time.monotonic() + 300
            done = 0
            while done < len(batch) and time.monotonic() < deadline:
                time.sleep(0.05)
                done = Source.objects.filter(pk__in=batch, last_success_at__gte=start_at).count()
            rounds.append((len(batch), done, time.perf_counter() - start))
        count, done, seconds = rounds[1]
        row = Row("6", "checks via dispatch_due + Celery worker (prefork)", samples=done,
                  throughput=done / seconds, unit="checks/s",
                  note=f"{done} of {count} unchanged checks")  # fmt: skip
        report.add(row)
        main = peak_rss_mb(worker.pid)
        pool = [peak_rss_mb(pid) for pid in children(worker.pid)]
        pool = [p for p in pool if p is not None]
    return main, pool


def bench_memory(report: Report, web_main, web_workers, worker_main, worker_pool) -> None:
    """9. Peak resident memory (VmHWM) of the web and worker processes, after the loads."""
    heaviest = max(web_workers) if web_workers else None
    note = f"main {web_main:.0f} MB; workers " + ", ".join(f"{w:.0f}" for w in web_workers)
    row = Row("9", "web: gunicorn worker peak RSS (MB)", samples=len(web_workers), unit="MB",
              note=note)  # fmt: skip
    row.max = heaviest
    report.add(target(row, "<= 150 MB", heaviest is not None and heaviest <= 150))
    heaviest = max([worker_main, *worker_pool])
    note = f"main {worker_main:.0f} MB; pool " + ", ".join(f"{w:.0f}" for w in worker_pool)
    row = Row("9", "worker: Celery peak RSS (MB)", samples=1 + len(worker_pool), unit="MB",
              note=note)  # fmt: skip
    row.max = heaviest
    report.add(target(row, "<= 200 MB", heaviest <= 200))


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
    server = multiprocessing.get_context("fork").Process(
        target=checks.serve, args=(it.check_pages, send), daemon=True
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


if __name__ == "__main__":
    sys.exit(main())
