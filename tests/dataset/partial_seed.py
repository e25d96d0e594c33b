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


def only(tmp_path: Path, file: str, edit: Callable[[list[dict]], None]) -> Path:
    folder = tmp_path / "seed"
    folder.mkdir()
    for name, _spec in FILES:
        (folder / name).write_text("[]\n")
    rows = yamlio.load((SEED / file).read_text())
    edit(rows)
    (folder / file).write_text(yamlio.dump(rows, allow_unicode=True, sort_keys=False))
    return folder
