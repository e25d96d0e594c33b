"""The guard in tests/guard.py: a read beside the repository is caught, reads inside are not."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from contextlib import suppress
from pathlib import Path

import pytest

from tests import guard

pytestmark = pytest.mark.skipif(not guard.ACTIVE, reason="the repository sits at the root")

# A file in a folder beside the checkout, which no checkout has. The audit event comes
# before the attempt, so the reads below are recorded whether or not the path exists.
SIBLING = Path(guard.PARENT) / "guard-probe-sibling" / "none.json"


def test_a_path_in_a_sibling_folder_is_outside_even_when_it_does_not_exist() -> None:
    assert guard.outside_repository(SIBLING)
    assert guard.outside_repository(str(Path(guard.PARENT) / "another-project" / "data.json"))
    assert guard.outside_repository(os.fsencode(SIBLING))
    assert guard.outside_repository(os.path.join(guard.REPO, "..", "x"))
    if not guard.TEMP_IS_PARENT:
        assert guard.outside_repository(guard.PARENT)  # listing the parent shows the siblings


def test_paths_in_the_repository_and_away_from_it_are_not_outside() -> None:
    assert not guard.outside_repository(Path(guard.REPO) / "tests" / "fixtures" / "README.md")
    assert not guard.outside_repository(Path(guard.REPO) / ".venv" / "lib" / "site.py")
    assert not guard.outside_repository(guard.REPO)
    assert not guard.outside_repository(Path(guard.PARENT) / ".cache" / "pip")
    assert not guard.outside_repository(sys.prefix)
    assert not guard.outside_repository(os.__file__)
    assert not guard.outside_repository(Path(tempfile.gettempdir()) / "pytest-of-someone" / "x")


def test_a_real_open_and_listing_beside_the_repository_are_recorded() -> None:
    with guard.recording() as reads:
        with suppress(OSError):
            SIBLING.read_bytes()
        with suppress(OSError):
            os.listdir(SIBLING.parent)
        (Path(guard.REPO) / "pyproject.toml").read_bytes()

    assert reads == [
        ("open", os.path.realpath(SIBLING)),
        ("os.listdir", os.path.realpath(SIBLING.parent)),
    ]
    assert guard.report(reads) == [
        f"{os.path.realpath(SIBLING)}  (open)",
        f"{os.path.realpath(SIBLING.parent)}  (os.listdir)",
    ]


def test_a_symlink_that_leads_beside_the_repository_is_followed(tmp_path: Path) -> None:
    # A sibling of its own, not under the team folder (which may itself be a link).
    probe = Path(guard.PARENT) / "guard-probe-by-link" / "none.json"
    link = tmp_path / "fixtures"
    link.symlink_to(probe.parent, target_is_directory=True)

    with guard.recording() as reads, suppress(OSError):
        (link / probe.name).read_bytes()

    assert reads == [("open", os.path.realpath(probe))]


# The guard alone: no Django, no cache folder written beside the probe.
PLUGINS = ["-p", "tests.guard", "-p", "no:django", "-p", "no:cacheprovider"]


def run_pytest(tmp_path: Path, body: str, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_probe.py").write_text(body)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    env = {**os.environ, "PYTHONPATH": guard.REPO}
    return subprocess.run(
        [sys.executable, "-m", "pytest", *PLUGINS, *args, "-q", "test_probe.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


READS_BESIDE = (
    "from pathlib import Path\n"
    "from tests import guard\n\n"
    "def test_probe():\n"
    "    try:\n"
    f"        Path({str(SIBLING)!r}).read_text()\n"
    "    except OSError:\n"
    "        pass\n"
)


def test_a_session_that_reads_beside_the_repository_fails_and_names_the_path(
    tmp_path: Path,
) -> None:
    result = run_pytest(tmp_path, READS_BESIDE)

    assert result.returncode == pytest.ExitCode.TESTS_FAILED, result.stdout + result.stderr
    assert "1 passed" in result.stdout
    assert "reads outside the repository" in result.stdout
    assert os.path.realpath(SIBLING) in result.stdout


def test_a_session_that_stays_inside_passes(tmp_path: Path) -> None:
    result = run_pytest(
        tmp_path,
        "from tests import paths\n\n"
        "def test_probe():\n"
        "    assert (paths.FIXTURES / 'README.md').read_text()\n",
    )

    assert result.returncode == pytest.ExitCode.OK, result.stdout + result.stderr
    assert "reads outside the repository" not in result.stdout


def test_a_parallel_session_fails_when_a_worker_reads_beside_the_repository(
    tmp_path: Path,
) -> None:
    # The read happens in a pytest-xdist worker, whose own exit status the run ignores.
    result = run_pytest(tmp_path, READS_BESIDE, "-n", "1")

    assert result.returncode == pytest.ExitCode.TESTS_FAILED, result.stdout + result.stderr
    assert "1 passed" in result.stdout
    assert "reads outside the repository" in result.stdout
    assert os.path.realpath(SIBLING) in result.stdout
