"""The smoke run started early (tests/bench/early.py) hands its outcome to its tests."""

from __future__ import annotations

import json

import pytest

from tests.bench import early


def test_a_failed_smoke_run_fails_its_tests_with_what_it_printed(tmp_path):
    (tmp_path / early.FAILED).write_text("gunicorn did not start: port in use")
    with pytest.raises(pytest.fail.Exception, match="gunicorn did not start"):
        early.outcome(tmp_path)


def test_the_figures_are_read_once_the_run_has_ended(tmp_path):
    (tmp_path / early.DONE).write_text(json.dumps({"rows": []}))
    assert json.loads(early.outcome(tmp_path).read_text()) == {"rows": []}


def test_a_run_that_never_ends_fails_after_its_time(tmp_path, monkeypatch):
    monkeypatch.setattr(early, "TIMEOUT", 1)
    with pytest.raises(pytest.fail.Exception, match="no outcome within 1 s"):
        early.outcome(tmp_path)
