"""A seed folder in which one file, edited, is whole and every other file is empty.

A refusal test needs the loader to meet one bad row in its file; the rows of the
other files are already in the test database (tests/conftest.py loads the seed
once), and the loader finds what the kept file refers to there. So the loader reads
one file instead of seven and compares a few hundred rows instead of writing a
thousand and more: a second instead of fifteen, with the same message, file, row
number and all-or-nothing rollback as a whole seed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from apps.dataset import yamlio
from apps.dataset.spec import FILES

SEED = Path(settings.BASE_DIR) / "data" / "seed"


Edit = Callable[[list[dict]], None]


def unchanged(rows: list[dict]) -> None:
    """The edit that keeps a file as the seed has it (a second load, a comparison)."""


def only(tmp_path: Path, file: str, edit: Edit = unchanged) -> Path:
    return several(tmp_path, {file: edit})


def several(tmp_path: Path, edits: dict[str, Edit]) -> Path:
    """The named files whole, each with its edit, in one folder; the others empty.

    For a test whose change spans files (a citation and the row it backs): each
    file's rows may name rows of the others, in the folder or in the database.
    """
    unknown = set(edits) - {name for name, _spec in FILES}
    assert not unknown, f"not seed files: {sorted(unknown)}"
    folder = tmp_path / "seed"
    folder.mkdir()
    for name, _spec in FILES:
        (folder / name).write_text("[]\n")
    for file, edit in edits.items():
        rows = yamlio.load((SEED / file).read_text())
        edit(rows)
        (folder / file).write_text(yamlio.dump(rows, allow_unicode=True, sort_keys=False))
    return folder
