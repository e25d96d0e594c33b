"""Settings come from the environment, strictly: mistakes stop the process."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tracker.env import env_bool, env_choice, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]
PROD = {
    "TRACKER_ENV": "production",
    "SECRET_KEY": "a-long-dummy-secret-key-for-tests-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "tracker.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/tracker",
}


def test_a_typo_in_a_boolean_is_an_error_not_false(monkeypatch):
    monkeypatch.setenv("DEBUG", "flase")
    with pytest.raises(ImproperlyConfigured, match="DEBUG='flase' is not a boolean"):
        env_bool("DEBUG", True)
    monkeypatch.setenv("DEBUG", "off")
    assert env_bool("DEBUG", True) is False


def test_integers_choices_and_lists_are_checked(monkeypatch):
    monkeypatch.setenv("N", "ten")
    with pytest.raises(ImproperlyConfigured, match="not an integer"):
        env_int("N", 1)
    monkeypatch.setenv("MODE", "prod")
    with pytest.raises(ImproperlyConfigured, match="must be one of"):
        env_choice("MODE", ("development", "production"), "development")
    monkeypatch.setenv("HOSTS", "a.example,,b.example")
    with pytest.raises(ImproperlyConfigured, match="empty item"):
        env_list("HOSTS")


def _django_check(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in PROD and k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_its_secrets(missing):
    env = {k: v for k, v in PROD.items() if k != missing}
    result = _django_check(env)
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


def test_production_settings_pass_the_deploy_check():
    result = _django_check(PROD, "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr


def test_env_example_lists_every_setting_the_code_reads():
    import re

    read = set()
    for path in [ROOT / "tracker" / "settings.py"]:
        read |= set(re.findall(r'env_\w+\(\s*"([A-Z_]+)"', path.read_text()))
    listed = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert read - listed == set(), "settings missing from .env.example"
    readme = (ROOT / "README.md").read_text()
    assert [name for name in sorted(read) if f"`{name}`" not in readme] == []


def _settings_with(monkeypatch, tmp_path, **env: str) -> dict:
    """tracker/settings.py read afresh in this process under the given variables."""
    import runpy

    for name in list(os.environ):
        if name.startswith("EMAIL_") or name in PROD:
            monkeypatch.delenv(name)
    monkeypatch.setenv("DATABASE_URL", PROD["DATABASE_URL"])
    monkeypatch.setenv("TRACKER_LOCAL_DIR", str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "tracker" / "settings.py"))


def test_the_smtp_server_and_its_sign_in_come_from_the_environment(monkeypatch, tmp_path):
    read = _settings_with(
        monkeypatch,
        tmp_path,
        EMAIL_HOST="smtp.example.org",
        EMAIL_PORT="587",
        EMAIL_HOST_USER="tracker",
        EMAIL_HOST_PASSWORD="s3cret",
        EMAIL_USE_TLS="true",
    )
    assert (read["EMAIL_HOST"], read["EMAIL_PORT"]) == ("smtp.example.org", 587)
    assert (read["EMAIL_HOST_USER"], read["EMAIL_HOST_PASSWORD"]) == ("tracker", "s3cret")
    assert read["EMAIL_USE_TLS"] is True and read["EMAIL_USE_SSL"] is False
    assert read["EMAIL_TIMEOUT"] > 0


def test_starttls_and_implicit_tls_together_are_refused_at_start(monkeypatch, tmp_path):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_USE_TLS and EMAIL_USE_SSL"):
        _settings_with(monkeypatch, tmp_path, EMAIL_USE_TLS="true", EMAIL_USE_SSL="true")


def test_production_sends_mail_through_smtp_unless_told_otherwise(monkeypatch, tmp_path):
    production = _settings_with(monkeypatch, tmp_path, **PROD)
    assert production["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    development = _settings_with(monkeypatch, tmp_path)
    assert development["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_a_claim_shorter_than_a_checks_time_limit_is_refused_at_start(monkeypatch, tmp_path):
    # A batch starts no check that could outlive its claim: none would ever start.
    with pytest.raises(ImproperlyConfigured, match=r"SOURCES_CLAIM_SECONDS \(60\) must be at"):
        _settings_with(
            monkeypatch, tmp_path, SOURCES_CLAIM_SECONDS="60", SOURCES_CHECK_SOFT_SECONDS="120"
        )
    equal = _settings_with(
        monkeypatch, tmp_path, SOURCES_CLAIM_SECONDS="120", SOURCES_CHECK_SOFT_SECONDS="120"
    )
    assert equal["SOURCES_CLAIM_SECONDS"] == 120
