"""Unchanged checks per second, next to a plain keep-alive GET + hash loop; see bench/README.md."""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = "tracker_bench_checks"
PAGE_BYTES = 3000


def page(number: int) -> bytes:
    """A 3 KB HTML page, the same on every request (so every check is unchanged)."""
    head = f"<html><head><title>Notice {number}</title></head><body><main><h1>Notice {number}</h1>"
    tail = "</main></body></html>"
    paragraph = f"<p>Paragraph of notice {number} about the regulation of AI systems.</p>"
    body = head + paragraph * ((PAGE_BYTES - len(head) - len(tail)) // len(paragraph))
    return (body + tail).ljust(PAGE_BYTES).encode()


BIG_WORDS = [
    "provider",
    "deployer",
    "system",
    "model",
    "risk",
    "data",
    "transparency",
    "oversight",
    "authority",
    "notice",
    "obligation",
    "article",
    "penalty",
    "register",
    "assessment",
    "incident",
    "report",
    "training",
    "label",
    "biometric",
    "identification",
    "recognition",
    "automated",
    "decision",
    "market",
    "surveillance",
]


def big_page(version: int, size: int = 1_000_000) -> bytes:
    """A page of about `size` bytes (1 MB for benchmark 7): numbered paragraphs of varied
    words; each version rewrites one paragraph in a hundred, as a revised notice does."""
    import random

    rng = random.Random(size)  # the same paragraphs in every version
    parts = ["<html><head><title>Official journal</title></head><body><main>"]
    length, n = 0, 0
    while length < size:
        words = " ".join(rng.choice(BIG_WORDS) for _ in range(24))
        if n % 100 == version % 100:
            words = f"amended in revision {version}: {words}"
        paragraph = f"<p>({n}) {words}.</p>\n"
        parts.append(paragraph)
        length += len(paragraph)
        n += 1
    parts.append("</main></body></html>")
    return "".join(parts).encode()


def serve(pages: int, ready, hits=None) -> None:
    """The local site: HTTP/1.1 keep-alive, one thread per connection, in its own process
    so that serving does not compete with the measured loop for this process's GIL.

    /notice/N answers the same 200 every time; /etag/N the same with an ETag, and 304
    to a matching If-None-Match; /changing/N and /big/N (about 1 MB) a new revision on
    every request (bench/run.py's changed checks).

    `hits`, a shared array of three doubles, counts the answers to /notice/ and /etag/
    pages and keeps the times of the first and the last (benchmark 13 compares two
    watchers by the requests this site saw, whatever each reports of itself)."""
    import itertools

    bodies = {f"/notice/{n}": page(n) for n in range(pages)}
    revisions = itertools.count(1)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body leave in two writes; with Nagle on, the body waits for the
        # client's delayed ACK (40 ms) on every kept-alive request.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            kind, _, number = self.path.rpartition("/")
            if hits is not None and kind in ("/notice", "/etag"):
                with hits.get_lock():
                    now = time.time()
                    hits[0] += 1
                    hits[1] = hits[1] or now
                    hits[2] = now
            etag = None
            if kind == "/etag" and number.isdigit():
                etag = f'"notice-{number}"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                body = bodies.get(f"/notice/{number}")
            elif kind == "/changing" and number.isdigit():
                revision = f"<p>Revision {next(revisions)}</p></main>"
                body = page(int(number)).replace(b"</main>", revision.encode())
            elif kind == "/big" and number.isdigit():
                body = big_page(next(revisions))
            else:
                body = bodies.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            if etag:
                self.send_header("ETag", etag)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    ready.send(server.server_address[1])
    server.serve_forever()


def _bench_database_url() -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{DATABASE}"))


def rate(label: str, count: int, seconds: float, extra: str = "") -> None:
    print(f"{label:<58} {count:6d} in {seconds:6.2f} s = {count / seconds:7.1f}/s {extra}")


def plain_loop(urls: list[str]) -> None:
    """(c) What one process can do at best: keep-alive GET and a hash, nothing else."""
    import httpx

    with httpx.Client(trust_env=False) as client:
        client.get(urls[0])  # the connection, opened outside the timing
        start = time.perf_counter()
        for url in urls:
            hashlib.sha256(client.get(url).content).hexdigest()
        rate(
            "(c) keep-alive httpx GET + sha256, one process", len(urls), time.perf_counter() - start
        )


def check_loop(ids: list[int], profile: bool) -> None:
    """(a) check_source in a loop, in this process."""
    import cProfile
    import pstats

    from django.db import connection, reset_queries

    from apps.sources.services import check_source

    reset_queries()
    outcomes: dict[str, int] = {}
    profiler = cProfile.Profile() if profile else None
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    for source_id in ids:
        outcome = check_source(source_id).outcome
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - start
    if profiler:
        # The figure above is slowed down by the profiler; this is where the time goes.
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    queries = len(connection.queries) / len(ids)
    rate("(a) check_source, one process", len(ids), seconds, f"{queries:.1f} queries/check")
    if outcomes != {"unchanged": len(ids)}:
        raise SystemExit(f"expected only unchanged checks, got {outcomes}")


@contextmanager
def redis_broker(local_dir: str) -> Iterator[str | None]:
    """The broker of deployments (docker-compose.yml), as a throw-away redis-server of
    our own: a shared one (REDIS_URL) could hand the checks to someone else's worker.
    None without redis-server: the filesystem broker of `make run` sleeps a second
    (kombu's polling_interval) after each task, which would measure that sleep."""
    server = shutil.which("redis-server")
    if server is None:
        yield None
        return
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    redis = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", local_dir],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("redis-server did not start") from None
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        redis.terminate()
        redis.wait(timeout=10)


def worker_path(ids: list[int], local_dir: str, timeout: float, *, pool: str) -> None:
    """(b) The dispatcher queues every source; one real Celery worker checks them.

    `prefork` is the deployed worker (a main process handing tasks to one pool process);
    `solo` runs each check in the process that consumes it, the worker counterpart of
    (a)'s one process.
    """
    from django.utils import timezone

    from apps.sources.dispatch import dispatch_due
    from apps.sources.models import Source

    log_path = Path(local_dir) / f"worker-{pool}.log"
    env = {
        **os.environ,
        "DEBUG": "false",  # a worker as deployed: no query log
        "LOG_LEVEL": "INFO",  # as deployed, and "ready." is logged at INFO
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, "-m", "celery", "-A", "tracker", "worker", "--loglevel",
               "INFO", "--pool", pool, "--concurrency", "1", "--without-mingle",
               "--without-gossip"]  # fmt: skip
    with open(log_path, "wb") as log:
        worker = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while b"ready." not in log_path.read_bytes():
            if worker.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the worker did not start; see {log_path}")
            time.sleep(0.1)
        Source.objects.filter(pk__in=ids).update(next_check_at=None)
        start_at = timezone.now()
        start = time.perf_counter()
        planned = dispatch_due(limit=len(ids))
        dispatched = time.perf_counter() - start
        if len(planned) != len(ids) or any(delay for _, delay in planned):
            raise SystemExit(f"the dispatcher planned {len(planned)} checks, not {len(ids)} now")
        done = 0
        finish = time.monotonic() + timeout
        while done < len(ids) and time.monotonic() < finish:
            time.sleep(0.05)
            done = Source.objects.filter(pk__in=ids, last_success_at__gte=start_at).count()
        seconds = time.perf_counter() - start
        label = f"(b) dispatch_due + one Celery worker ({pool} pool)"
        rate(label, done, seconds, f"(dispatch_due: {dispatched:.2f} s)")
        if done < len(ids):
            print(f"    only {done} of {len(ids)} checks completed within {timeout:.0f} s")
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--worker-timeout", type=float, default=120)
    parser.add_argument("--skip-worker", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile the check_source loop")
    args = parser.parse_args()

    receive, send = multiprocessing.Pipe(duplex=False)
    server = multiprocessing.get_context("fork").Process(
        target=serve, args=(args.pages, send), daemon=True
    )
    server.start()
    port = receive.recv()
    base = f"http://127.0.0.1:{port}"
    urls = [f"{base}/notice/{n}" for n in range(args.pages)]

    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    local_dir = tempfile.mkdtemp(prefix="tracker-bench-checks-")
    os.environ.update(
        DATABASE_URL=_bench_database_url(),
        DJANGO_SETTINGS_MODULE="tracker.settings",
        DEBUG="true",  # records queries for the counts
        LOG_LEVEL="WARNING",  # keeps this process's output to the figures
        # The pages live on 127.0.0.1; allowed for this throw-away database only.
        SOURCES_ALLOW_PRIVATE="true",
        SOURCES_HOST_SPACING="0",  # one host serves every page: no spacing between checks
        # Local state (and the filesystem broker's folders) stay out of `make run`'s.
        TRACKER_LOCAL_DIR=local_dir,
    )
    os.environ.pop("CELERY_BROKER_URL", None)
    with redis_broker(local_dir) as broker_url:
        if broker_url:
            os.environ["CELERY_BROKER_URL"] = broker_url
        run(urls, local_dir, args)
    server.terminate()


def run(urls: list[str], local_dir: str, args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from apps.sources.models import Source
    from apps.sources.services import check_source

    sources = Source.objects.bulk_create(
        Source(name=f"Notice {n}", url=url, kind="html", check_interval_minutes=60)
        for n, url in enumerate(urls)
    )
    ids = [source.pk for source in sources]
    start = time.perf_counter()
    for source_id in ids:
        check_source(source_id)
    rate("baseline snapshots (first checks)", len(ids), time.perf_counter() - start)

    plain_loop(urls)
    check_loop(ids, args.profile)
    if args.skip_worker:
        return
    if not os.environ.get("CELERY_BROKER_URL"):
        print("(b) skipped: redis-server is not installed")
        return
    worker_path(ids, local_dir, args.worker_timeout, pool="prefork")
    worker_path(ids, local_dir, args.worker_timeout, pool="solo")


if __name__ == "__main__":
    main()
