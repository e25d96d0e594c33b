"""A bounded load generator, run as its own process by bench/run.py (benchmark 2).

    python bench/load.py --base http://127.0.0.1:PORT --seconds 15 --concurrency 4 \
        --header "Authorization: Bearer ..." PATH [PATH ...]

Each of `concurrency` threads sends GETs one after another (the paths in turn) until
the time is up; prints one JSON object: requests, errors, seconds, latencies (ms).
A separate process, so that the load is not made by the interpreter being measured.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import threading
import time
from urllib.parse import urlsplit


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()

    target = urlsplit(args.base)
    headers = dict(h.split(": ", 1) for h in args.header)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + args.seconds

    def worker(offset: int) -> None:
        mine: list[float] = []
        n = offset
        while time.perf_counter() < stop_at:
            path = args.paths[n % len(args.paths)]
            n += 1
            start = time.perf_counter()
            # gunicorn's sync workers close the connection after each response.
            conn = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    with lock:
                        errors.append(f"{response.status} {path}")
                    continue
            except OSError as exc:
                with lock:
                    errors.append(f"{type(exc).__name__} {path}")
                continue
            finally:
                conn.close()
            mine.append((time.perf_counter() - start) * 1000)
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    json.dump(
        {
            "requests": len(latencies),
            "errors": len(errors),
            "first_errors": errors[:5],
            "seconds": time.perf_counter() - started,
            "latencies": latencies,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
