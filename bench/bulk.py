"""11. The bulk snapshot (issue 27): `apps.api.snapshots.cut` on the whole record, in a
process of its own, with its time and peak memory (the process's VmHWM, as benchmark 9
reads the web workers'), next to a baseline from the same run: the same published rows
of the same four tables read with COPY and gzipped, in a process of its own too. The
baseline is the floor (reading and compressing the rows, no representation); the
snapshot's memory must stay bounded by its chunk, not grow with the record.

    python bench/bulk.py snapshot|copy FOLDER   # one measured process; prints JSON
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import Report, Row  # noqa: E402

# What the baseline reads: the published rows of the tables the four resources are made of.
TABLES = (
    "jurisdictions_jurisdiction",
    "instruments_instrument",
    "obligations_obligation",
    "amendments_amendment",
)
# A snapshot holding the whole record in memory would take gigabytes at full scale; one
# chunk at a time, a worker's share is plenty.
PEAK_TARGET_MB = 512


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _snapshot(folder: Path) -> dict:
    from apps.api import snapshots

    made = snapshots.cut(folder)
    manifest = json.loads((made / snapshots.MANIFEST).read_text())
    files = manifest["files"]
    return {
        "rows": sum(f["rows"] for f in files if f["format"] == "jsonl"),
        "bytes": sum(f["bytes"] for f in files),
    }


def _copy(folder: Path) -> dict:
    from django.db import connection

    folder.mkdir(parents=True, exist_ok=True)
    rows = size = 0
    with connection.cursor() as cursor:
        for table in TABLES:
            path = folder / f"{table}.csv.gz"
            with gzip.open(path, "wb", compresslevel=6) as out:
                sql = f"COPY (SELECT * FROM {table} WHERE retired_at IS NULL) TO STDOUT WITH CSV"  # noqa: S608
                with cursor.cursor.copy(sql) as copy:
                    for block in copy:
                        out.write(block)
                        rows += bytes(block).count(b"\n")
            size += path.stat().st_size
    return {"rows": rows, "bytes": size}


def child(kind: str, folder: str) -> None:
    import django

    django.setup()
    started = time.perf_counter()
    done = (_snapshot if kind == "snapshot" else _copy)(Path(folder))
    seconds = time.perf_counter() - started
    print(json.dumps({**done, "seconds": seconds, "peak_rss_mb": _peak_mb()}))


def _measure(kind: str, env: dict, folder: Path) -> dict:
    out = subprocess.run(
        [sys.executable, str(Path(__file__)), kind, str(folder)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if out.returncode != 0:
        raise SystemExit(f"benchmark 11 ({kind}) failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_snapshot(report: Report, env: dict, local: Path) -> None:
    """11. The daily bulk snapshot; its baseline is COPY of the same rows, gzipped."""
    made = _measure("snapshot", env, local / "bulk-snapshot")
    floor = _measure("copy", env, local / "bulk-copy")
    row = Row(
        "11",
        "bulk snapshot: 4 resources, JSON Lines + CSV, gzipped",
        samples=1,
        max=made["seconds"] * 1000,
        throughput=made["rows"] / made["seconds"],
        unit="rows/s",
        target=f"peak RSS <= {PEAK_TARGET_MB} MB",
        met=made["peak_rss_mb"] <= PEAK_TARGET_MB,
        note=f"{made['rows']:,} rows in {made['seconds']:.0f} s; peak RSS "
        f"{made['peak_rss_mb']:.0f} MB; {made['bytes'] / 2**20:.0f} MB written",
        extra=made,
    )
    report.add(row)
    report.add(
        Row(
            "11",
            "  baseline: COPY of the same rows, gzipped",
            samples=1,
            max=floor["seconds"] * 1000,
            throughput=floor["rows"] / floor["seconds"],
            unit="rows/s",
            note=f"{floor['rows']:,} rows in {floor['seconds']:.0f} s; peak RSS "
            f"{floor['peak_rss_mb']:.0f} MB; {floor['bytes'] / 2**20:.0f} MB written",
            extra=floor,
        )
    )


if __name__ == "__main__":
    child(sys.argv[1], sys.argv[2])
