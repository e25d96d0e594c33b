"""docker-compose.yml cannot run here (no engine): check what can be checked of it."""

import re
import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_it_defines_the_production_services():
    assert {"postgres", "redis", "web", "worker", "beat", "migrate"} <= set(SERVICES)
    assert "healthcheck" in SERVICES["postgres"]


def test_app_services_share_one_image_built_from_the_dockerfile():
    for name in ("web", "worker", "beat", "migrate"):
        assert SERVICES[name]["build"] == "."
    assert (ROOT / "Dockerfile").is_file()


def test_web_waits_for_a_healthy_database_and_for_migrations():
    depends = SERVICES["web"]["depends_on"]
    assert depends["postgres"]["condition"] == "service_healthy"
    assert depends["migrate"]["condition"] == "service_completed_successfully"
    for name in ("worker", "beat"):
        assert (
            SERVICES[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        )


def test_only_the_migrate_service_migrates():
    migrating = [n for n, s in SERVICES.items() if "migrate" in " ".join(s.get("command", []))]
    assert migrating == ["migrate"]


def test_commands_name_real_entry_points():
    web = SERVICES["web"]["command"]
    assert web[0] == "gunicorn"
    module, attr = web[1].split(":")
    assert (ROOT / (module.replace(".", "/") + ".py")).is_file()
    assert f"{attr} =" in (ROOT / (module.replace(".", "/") + ".py")).read_text()
    for name, verb in (("worker", "worker"), ("beat", "beat")):
        command = SERVICES[name]["command"]
        assert command[:3] == ["celery", "-A", "tracker"] and command[3] == verb
    assert (ROOT / "tracker" / "celery.py").is_file()
    assert SERVICES["migrate"]["command"][:2] == ["python", "manage.py"]


def test_environment_names_are_settings_the_project_reads():
    settings_text = (ROOT / "tracker" / "settings.py").read_text()
    read = set(re.findall(r'env_\w+\(\s*"([A-Z_]+)"', settings_text))
    for name in ("web", "worker", "beat", "migrate"):
        env = SERVICES[name]["environment"]
        assert set(env) - read == set(), f"{name} sets variables no setting reads"
        assert env["TRACKER_ENV"] == "production"
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:")
        assert "@postgres:5432/" in env["DATABASE_URL"]


def test_the_docker_client_accepts_the_file_when_present():
    docker = shutil.which("docker")
    if docker is None:
        return  # the parse above is the check on machines without a docker client
    import subprocess

    plugin = subprocess.run([docker, "compose", "version"], capture_output=True, timeout=60)
    if plugin.returncode != 0:
        return  # a client without the compose plugin cannot judge the file
    env = {
        "SECRET_KEY": "x",
        "ALLOWED_HOSTS": "x",
        "POSTGRES_PASSWORD": "x",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [docker, "compose", "-f", str(ROOT / "docker-compose.yml"), "config", "--quiet"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
