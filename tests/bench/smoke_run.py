"""Runs the benchmarks on tiny data for tests/bench/early.py and leaves its outcome
in the run's folder (argv[1]): the figures as bench-smoke.json, or the run's output
as bench-smoke.failed. Each is written whole, then renamed, so a reader never sees
half a file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.bench.early import DONE, FAILED, ROOT, TIMEOUT, command, environment


def main(folder: Path) -> None:
    out = folder / "bench-smoke.partial.json"
    try:
        run = subprocess.run(
            command(out), cwd=ROOT, env=environment(), capture_output=True, text=True,
            timeout=TIMEOUT - 20,
        )  # fmt: skip
        failure = None if run.returncode == 0 else run.stdout[-3000:] + run.stderr[-3000:]
    except subprocess.TimeoutExpired as exc:
        failure = f"bench/run.py ran past {exc.timeout} s"
    if failure is None:
        out.replace(folder / DONE)
        return
    partial = folder / "bench-smoke.failed.partial"
    partial.write_text(failure)
    partial.replace(folder / FAILED)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
