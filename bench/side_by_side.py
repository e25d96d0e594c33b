"""Benchmark 13 (issue 26): unchanged checks per second per process, the watcher as
deployed (beat + one worker, default settings) next to changedetection.io over the
same local pages, in the same run.

Both are measured by what the local site saw: the requests to its pages between the
first and the last, so that neither side's start-up or own report counts. Ours runs
from beat's schedule: the dispatcher claims what the worker announced it can take and
the worker checks; `SOURCES_HOST_SPACING` is 0 (bench/run.py) because every page is on
127.0.0.1, which changedetection.io does not space either.

changedetection.io is not a dependency of the project: it runs from a virtual
environment of its own, named by BENCH_CHANGEDETECTION_VENV or --changedetection-venv
(`python3.11 -m venv DIR && DIR/bin/pip install changedetection.io`); without one the
row says "not run". Its recipe is the one of issue 26: `changedetection.io -d DIR -C -b
-r all -u URL ...`; a first run adds the pages and takes their first snapshot, the
second, measured, finds every page unchanged. Its guard refuses 127.0.0.1 as ours does;
ALLOW_IANA_RESTRICTED_ADDRESSES lifts it as SOURCES_ALLOW_PRIVATE lifts ours.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import time
from pathlib import Path

from bench.harness import Report, Row, celery_beat, celery_worker, free_port, target

VENV_VARIABLE = "BENCH_CHANGEDETECTION_VENV"
FAR = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


def _reset(hits) -> None:
    with hits.get_lock():
        hits[0] = hits[1] = hits[2] = 0


def _rate(hits) -> tuple[int, float]:
    count, first, last = hits[0], hits[1], hits[2]
    return int(count), (count / (last - first) if last > first else 0.0)


def _profile(worker_pid: int, local: Path) -> list[subprocess.Popen]:
    """With BENCH_PY_SPY naming a py-spy program (never a dependency of the project),
    sample the worker's processes for the first 6 s of the run, waits included
    (--idle): collapsed stacks in
    side-<pid>.txt in BENCH_PY_SPY_DIR (default: beside the run's logs). Profile
    before optimising."""
    import psutil

    spy = os.environ.get("BENCH_PY_SPY")
    if not spy:
        return []
    folder = Path(os.environ.get("BENCH_PY_SPY_DIR") or local)
    main = psutil.Process(worker_pid)
    args = ["record", "-d", "6", "-r", "250", "--nonblocking", "--idle", "-f", "raw"]
    return [
        subprocess.Popen(
            [spy, *args, "--pid", str(proc.pid), "-o", str(folder / f"side-{proc.pid}.txt")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for proc in [main, *main.children(recursive=True)]
    ]


def _ours(env: dict, local: Path, hits, ids: list[int], timeout: float = 600) -> dict:
    from django.utils import timezone

    from apps.sources import capacity
    from apps.sources.models import Source

    with (
        celery_worker(env, local / "side-worker.log") as worker,
        celery_beat(env, local / "side-beat.log", local / "side-beat-schedule"),
    ):
        deadline = time.monotonic() + 60
        while not capacity.slots() and time.monotonic() < deadline:
            time.sleep(0.2)
        slots = capacity.slots()
        _reset(hits)
        start_at = timezone.now()
        started = time.perf_counter()
        Source.objects.filter(pk__in=ids).update(next_check_at=None)  # all due now
        spies = _profile(worker.pid, local)
        done, deadline = 0, time.monotonic() + timeout
        while done < len(ids) and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.1)
            done = Source.objects.filter(pk__in=ids, last_success_at__gte=start_at).count()
        wall = time.perf_counter() - started
        for spy in spies:
            spy.wait(timeout=30)
    count, rate = _rate(hits)
    return {"slots": slots, "done": done, "count": count, "rate": rate, "wall": wall}


def _cdio(venv: Path, local: Path, site: str, hits, pages: int) -> dict:
    program = venv / "bin" / "changedetection.io"
    store = local / "changedetection"
    base = [str(program), "-d", str(store), "-b", "-r", "all", "-p", str(free_port()),
            "-l", "WARNING"]  # fmt: skip
    env = {**os.environ, "ALLOW_IANA_RESTRICTED_ADDRESSES": "true"}
    urls = [arg for n in range(pages) for arg in ("-u", f"{site}/notice/{n}")]
    with open(local / "changedetection.log", "ab") as log:
        # The first run adds the pages and takes their first snapshots.
        subprocess.run([*base, "-C", *urls], env=env, stdout=log, stderr=log, check=True,
                       timeout=1800)  # fmt: skip
        _reset(hits)
        started = time.perf_counter()
        subprocess.run(base, env=env, stdout=log, stderr=log, check=True, timeout=1800)
        wall = time.perf_counter() - started
    count, rate = _rate(hits)
    return {"count": count, "rate": rate, "wall": wall}


def bench_side_by_side(report: Report, env: dict, local: Path, site: str, hits, it,
                       venv: str | None) -> None:  # fmt: skip
    """13. Unchanged checks per second per process: as deployed vs changedetection.io."""
    from apps.sources.models import Source
    from apps.sources.services import check_source

    pages = it.side_by_side_pages
    made = Source.objects.bulk_create(
        Source(name=f"Local side {n}", url=f"{site}/notice/{n}", kind="html",
               check_interval_minutes=60, next_check_at=FAR)
        for n in range(pages)
    )  # fmt: skip
    ids = [s.pk for s in made]
    for source_id in ids:
        check_source(source_id)  # the first snapshot: every check below is unchanged
    # Only these are due below: beat's dispatcher must not take the generated sources.
    Source.objects.exclude(pk__in=ids).update(next_check_at=FAR, claim_expires_at=None)
    ours = _ours(env, local, hits, ids)
    per_process = ours["rate"] / ours["slots"] if ours["slots"] else 0.0
    row = Row("13", "as deployed (beat + 1 worker): unchanged checks/s per pool process",
              samples=ours["count"], throughput=per_process, unit="checks/s",
              note=f"{ours['rate']:.0f}/s over {ours['slots']} pool processes; "
                   f"{ours['done']} of {pages} done in {ours['wall']:.1f} s from due")  # fmt: skip
    report.add(row)
    if not venv:
        report.add(Row("13", "  baseline: changedetection.io, per process",
                       note=f"not run ({VENV_VARIABLE} names no virtual environment)"))  # fmt: skip
        return
    theirs = _cdio(Path(venv), local, site, hits, pages)
    base = Row("13", "  baseline: changedetection.io -b -r all, per process (it runs one)",
               samples=theirs["count"], throughput=theirs["rate"], unit="checks/s",
               note=f"{theirs['count']} requests, {theirs['wall']:.1f} s in all")  # fmt: skip
    ratio = per_process / theirs["rate"] if theirs["rate"] else 0.0
    row.note += f"; {ratio:.2f}x changedetection.io"
    target(row, ">= 2x changedetection.io per process", ratio >= 2)
    report.add(base)
