"""Benchmark 12 (issue 31): the editors' desk at scale, signed in as an administrator.

The pages an editor works in, each against the record page of the same instrument
(the desk's page that was already fast) from the same run: the proposal forms
opened from the record page, the instrument's admin change form, the admin's
search of instruments, the obligations' and the audit trail's lists, and the
lookup a proposal form's picker asks as the editor types. Every page is measured
by latency and by the size of its HTML: a form that lists every row it could
point to is slow because it is large.
"""

from __future__ import annotations

import statistics
import time
from urllib.parse import quote

from bench.harness import Http, Iterations, Report, percentiles, row_from, target

GOAL_MS = 300
GOAL_KB = 200
ADMIN = "bench-admin"


def admin_session() -> str:
    """A session of a signed-in administrator, as the admin's sign-in page would make."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Group, User

    user = User.objects.filter(username=ADMIN).first()
    if user is None:  # a kept record (--reuse-database) has it already
        user = User.objects.create_superuser(ADMIN, "admin@example.org", "bench-admin-pw")
        group = Group.objects.filter(name="administrator").first()
        if group is not None:
            user.groups.add(group)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = next(
        (b for b in settings.AUTHENTICATION_BACKENDS if b.endswith("ModelBackend")),
        settings.AUTHENTICATION_BACKENDS[-1],
    )
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def _case_id(user_name: str) -> int:
    """A case to propose in: the record's first, or a new one on a record without cases."""
    from django.contrib.auth.models import User

    from apps.cases import services
    from apps.cases.models import Case

    found = Case.objects.order_by("pk").values_list("pk", flat=True).first()
    if found is not None:
        return found
    user = User.objects.get(username=user_name)
    return services.case_open(title="bench: the desk", kind="correction", created_by=user).pk


def _alternating(http: Http, paths: list[str], repeats: int, cap_seconds: float) -> list[dict]:
    """GETs of `paths` in turn, `repeats` rounds: on a shared machine a page and its
    baseline then see the same load, which one series after another does not."""
    out = [{"samples": [], "queries": [], "bytes": 0} for _ in paths]
    start = time.perf_counter()
    for _ in range(repeats):
        for path, into in zip(paths, out, strict=True):
            t0 = time.perf_counter()
            response = http.get(path)
            into["samples"].append((time.perf_counter() - t0) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"GET {path}: {response.status_code} {response.text[:300]}")
            into["queries"].append(int(response.headers.get("X-Bench-Queries", 0)))
            into["bytes"] = max(into["bytes"], len(response.content))
        if time.perf_counter() - start > cap_seconds:
            break
    seconds = time.perf_counter() - start
    for into in out:
        into["seconds"] = seconds / len(paths)  # each path's share of the wall time
    return out


def bench_desk(report: Report, base: str, key: str, it: Iterations) -> None:
    """12. The desk's pages, each in turn with its baseline: the instrument's record page."""
    from apps.instruments.models import Instrument

    http = Http(base, key, admin_session())
    row = (
        Instrument.objects.filter(slug="eu-ai-act").values_list("pk", flat=True).first()
        or Instrument.objects.order_by("pk").values_list("pk", flat=True).first()
    )
    case = _case_id(ADMIN)
    pages = [
        ("proposal form: a change to the instrument",
         f"/admin/cases/case/{case}/propose/instrument/{row}/"),
        ("proposal form: a new obligation of it",
         f"/admin/cases/case/{case}/propose/obligation/?instrument={row}"),
        ("instrument's admin change form", f"/admin/instruments/instrument/{row}/change/"),
        ("admin search of instruments (q=artificial)",
         "/admin/instruments/instrument/?q=artificial"),
        ("obligation list", "/admin/obligations/obligation/"),
        ("audit trail list", "/admin/record/appliedchange/"),
        ("picker lookup (q=artificial intel)",
         f"/admin/cases/case/lookup/instrument/?q={quote('artificial intel')}"),
    ]  # fmt: skip
    baseline = f"/admin/instruments/instrument/{row}/record/"
    floor: dict = {"samples": [], "queries": [], "bytes": 0, "seconds": 0.0}
    for name, path in pages:
        http.series([path, baseline])  # warm (connections, caches) outside the figures
        mine, theirs = _alternating(http, [path, baseline], it.desk_repeats, it.cap_seconds)
        for field in ("samples", "queries"):
            floor[field] += theirs[field]
        floor["bytes"], floor["seconds"] = theirs["bytes"], floor["seconds"] + theirs["seconds"]
        measured = row_from("12", f"desk: {name}", mine["samples"], mine["seconds"])
        measured.queries = statistics.mean(mine["queries"])
        kb = mine["bytes"] / 1024
        alongside = percentiles(theirs["samples"])["p95"]
        ratio = measured.p95 / alongside if alongside else 0
        measured.extra.update(
            html_kb=round(kb, 1),
            baseline_p95_alongside=round(alongside, 1),
            ratio_to_baseline_p95=round(ratio, 2),
        )
        measured.note = f"{kb:,.0f} KB; {ratio:.1f}x the baseline's p95 alongside it"
        target(
            measured,
            f"p95 <= {GOAL_MS} ms, <= {GOAL_KB} KB",
            measured.p95 <= GOAL_MS and kb <= GOAL_KB,
        )
        report.add(measured)
    row_ = row_from("12", "  baseline: the instrument's record page", floor["samples"],
                    floor["seconds"])  # fmt: skip
    row_.queries = statistics.mean(floor["queries"])
    row_.extra["html_kb"] = round(floor["bytes"] / 1024, 1)
    row_.note = f"{row_.extra['html_kb']:,.0f} KB; measured in turn with each page above"
    report.add(row_)
