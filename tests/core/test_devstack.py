"""What `make run` tells a newcomer, and what the README and the Makefile say about it
and about `make bench` (issue 24, item 11). Nothing here starts a process."""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

from tracker import devstack

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def test_make_run_says_each_step_before_it_takes_it(monkeypatch, capsys, tmp_path):
    done: list[str] = []

    @contextmanager
    def database(folder, name):
        done.append("database")
        yield "postgres://example/tracker"

    monkeypatch.setattr(devstack, "LOCAL", tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(devstack, "database", database)
    monkeypatch.setattr(devstack, "manage", lambda *args: done.append(args[0]))
    monkeypatch.setattr(devstack, "_load_seed", lambda: done.append("seed"))
    monkeypatch.setattr(devstack, "_ensure_demo_admin", lambda: done.append("admin"))
    monkeypatch.setattr(devstack, "_supervise", lambda commands: done.append("supervise") or 0)

    def log(message: str) -> None:
        done.append(f"said: {message}")

    monkeypatch.setattr(devstack, "log", log)
    assert devstack.run() == 0
    said = [entry for entry in done if entry.startswith("said: ")]
    assert "minutes" in said[0], "a first run says it takes minutes"
    order = [
        entry.split(":")[1].split("(")[0].strip() if entry.startswith("said") else entry
        for entry in done
    ]
    assert [e for e in order if not e.startswith("first run")] == [
        "step 1/5",
        "database",
        "step 2/5",
        "migrate",
        "step 3/5",
        "seed",
        "step 4/5",
        "admin",
        "step 5/5",
        "supervise",
    ]


def test_a_later_run_does_not_warn_of_minutes(monkeypatch, tmp_path):
    (tmp_path / "pg").mkdir()
    (tmp_path / "pg" / "PG_VERSION").write_text("18\n")
    said: list[str] = []

    @contextmanager
    def database(folder, name):
        yield "postgres://example/tracker"

    monkeypatch.setattr(devstack, "LOCAL", tmp_path)
    monkeypatch.setattr(devstack, "database", database)
    monkeypatch.setattr(devstack, "manage", lambda *args: None)
    monkeypatch.setattr(devstack, "_load_seed", lambda: None)
    monkeypatch.setattr(devstack, "_ensure_demo_admin", lambda: None)
    monkeypatch.setattr(devstack, "_supervise", lambda commands: 0)
    monkeypatch.setattr(devstack, "log", said.append)
    devstack.run()
    assert not [line for line in said if "minutes" in line]


def test_the_readme_says_the_first_run_takes_minutes():
    section = README[README.index("## The two commands") : README.index("## Deploying")]
    assert re.search(r"first `make run` takes minutes", section)


def test_the_readme_gives_a_working_command_to_reset_the_demo_administrators_password():
    from django.core.management import get_commands

    assert devstack.ADMIN_RESET_COMMAND in README
    assert "create_superuser('admin'" in Path(devstack.__file__).read_text()
    for command in ("changepassword", "axes_reset_username"):
        assert f"manage.py {command} admin" in README
        assert command in get_commands()


def _minutes(text: str) -> tuple[int, int]:
    found = re.findall(r"(\d+) to (\d+)\s+(?:#\s*)?minutes", text)
    assert len(found) == 1, found
    return int(found[0][0]), int(found[0][1])


def test_readme_and_makefile_give_the_same_bench_time_as_the_measured_runs():
    makefile = (ROOT / "Makefile").read_text()
    bench_comment = makefile[makefile.index("# The benchmarks at scale") : makefile.index("bench:")]
    readme = README[README.index("## Benchmarks") :]
    readme = readme[: readme.index("\n## ", 1)]
    assert _minutes(bench_comment) == _minutes(readme)
    low, high = _minutes(readme)
    whole_runs = [
        int(s)
        for s in re.findall(r"whole run took (\d+) s", (ROOT / "bench" / "RESULTS.md").read_text())
    ]
    assert whole_runs and all(low <= round(s / 60) <= high for s in whole_runs)
