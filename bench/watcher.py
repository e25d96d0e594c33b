"""Benchmarks 6 to 9 of issue 13: source checks, the 1 MB page, the dispatcher and
the processes' peak memory, each next to its baseline or target."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

from bench import checks
from bench.harness import (
    ROOT,
    Iterations,
    Report,
    Row,
    celery_worker,
    children,
    peak_rss_mb,
    row_from,
    target,
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
from apps.sources import dispatch
from apps.sources.publishing import publish_checks
from django.db import OperationalError, connection
# The claim and the queue together are timed: every check message goes to the
# deployed broker (Redis). The dispatcher runs in a long-lived worker, so its
# connection and Celery's routing are warm: one message is sent (and taken back) first.
import redis
publish_checks([(0, 0)])
redis.Redis.from_url(os.environ["CELERY_BROKER_URL"]).delete("celery")
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
print(json.dumps({{"ids": [p[0] for p in planned], "seconds": seconds, "timed_out": timed_out}}))
"""


def _take_queued(env: dict) -> int:
    """The checks the dispatchers queued (several to a message), removed: no worker
    is to run them."""
    import base64

    import redis

    client = redis.Redis.from_url(env["CELERY_BROKER_URL"])
    queued = 0
    for message in client.lrange("celery", 0, -1):
        args = json.loads(base64.b64decode(json.loads(message)["body"]))[0]
        queued += len(args[0]) if isinstance(args[0], list) else 1
    client.delete("celery")
    return queued


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
            results.append({"ids": [], "seconds": seconds, "timed_out": True})
    queued, claimed = _take_queued(env), sum(len(r["ids"]) for r in results)
    if queued != claimed and not any(r["timed_out"] for r in results):
        raise SystemExit(f"{queued} checks queued for {claimed} claims")
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
        row.note = "claimed and queued to Redis (its messages counted)"
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
