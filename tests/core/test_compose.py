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
    for name in ("web", "worker", "beat", "migrate", "backup"):
        env = SERVICES[name]["environment"]
        assert set(env) - read == set(), f"{name} sets variables no setting reads"
        assert env["TRACKER_ENV"] == "production"
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:")
        assert "@postgres:5432/" in env["DATABASE_URL"]


def _settings_read() -> set[str]:
    text = (ROOT / "tracker" / "settings.py").read_text()
    return set(re.findall(r'env_\w+\(\s*"([A-Z_]+)"', text))


def _env_example() -> set[str]:
    return set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))


# What compose decides itself and may pin over .env: the posture and its own servers.
# (and where its own volumes are mounted).
DECIDED_BY_COMPOSE = {
    "TRACKER_ENV",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "REDIS_URL",
    "SNAPSHOTS_DIR",
    "BACKUP_DIR",
}


def test_every_setting_the_tracker_reads_reaches_web_worker_and_beat():
    read = _settings_read()
    # .env is a copy of .env.example: what it lists, an operator can set.
    assert read - _env_example() == set(), ".env.example does not offer these settings"
    for name in ("web", "worker", "beat", "migrate", "backup"):
        service = SERVICES[name]
        assert ".env" in service.get("env_file", []), f"{name} does not read .env"
        # `environment` wins over env_file: a name pinned there to a fixed value would
        # silently replace the operator's own setting.
        for variable, value in service["environment"].items():
            assert variable in DECIDED_BY_COMPOSE or f"${{{variable}" in str(value), (
                f"{name} pins {variable}, hiding the value .env gives it"
            )
        reaching = set(service["environment"]) | _env_example()
        assert read - reaching == set(), f"{name} never gets {sorted(read - reaching)}"


def test_web_processes_share_their_throttle_counters_in_compose_redis():
    for name in ("web", "worker", "beat"):
        assert SERVICES[name]["environment"]["REDIS_URL"].startswith("redis://redis:")
    # Not the broker's database: the cache may be cleared without losing queued tasks.
    assert (
        SERVICES["web"]["environment"]["REDIS_URL"]
        != SERVICES["web"]["environment"]["CELERY_BROKER_URL"]
    )


def test_the_compose_secrets_are_offered_in_env_example():
    assert {"POSTGRES_PASSWORD", "SECRET_KEY", "ALLOWED_HOSTS"} <= _env_example()
    for name in ("EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD"):
        assert name in _env_example()
    assert {"EMAIL_USE_TLS", "EMAIL_USE_SSL"} <= _env_example()


def test_worker_and_beat_report_their_health():
    worker = " ".join(SERVICES["worker"]["healthcheck"]["test"])
    assert "inspect ping" in worker and "celery@$$HOSTNAME" in worker
    beat = SERVICES["beat"]["healthcheck"]["test"]
    schedule = SERVICES["beat"]["command"][SERVICES["beat"]["command"].index("--schedule") + 1]
    assert schedule in " ".join(beat)
    for name in ("worker", "beat"):
        assert SERVICES[name]["healthcheck"]["start_period"]


def test_the_beat_healthcheck_passes_on_a_fresh_schedule_and_fails_on_a_stale_one(tmp_path):
    import os
    import subprocess
    import sys
    import time

    command = SERVICES["beat"]["healthcheck"]["test"]
    assert command[:3] == ["CMD", "python", "-c"]
    beat = SERVICES["beat"]["command"]
    schedule_path = beat[beat.index("--schedule") + 1]
    code = command[3].replace(schedule_path, str(tmp_path / "celerybeat-schedule"))

    def healthy() -> bool:
        return subprocess.run([sys.executable, "-c", code], timeout=30).returncode == 0

    assert not healthy(), "no schedule file yet is not healthy"
    schedule = tmp_path / "celerybeat-schedule.db"
    schedule.write_bytes(b"")
    assert healthy()
    old = time.time() - 600
    os.utime(schedule, (old, old))
    assert not healthy()


def _shared_buffers(tmp_path, mem_total_kb: int, limit: str | None, **env: str) -> str:
    import subprocess

    meminfo = tmp_path / "meminfo"
    meminfo.write_text(f"MemTotal:       {mem_total_kb} kB\nMemFree:        1000 kB\n")
    cgroup = tmp_path / "memory.max"
    if limit is not None:
        cgroup.write_text(limit + "\n")
    result = subprocess.run(
        ["sh", str(ROOT / "deploy" / "postgres-start.sh"), "--print"],
        env={
            "PATH": "/usr/bin:/bin",
            "MEMINFO_FILE": str(meminfo),
            "CGROUP_MEMORY_FILES": str(cgroup),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_postgres_shared_buffers_follow_the_memory_the_container_may_use(tmp_path):
    postgres = SERVICES["postgres"]
    assert postgres["entrypoint"] == ["/bin/sh", "/tracker/postgres-start.sh"]
    assert "./deploy/postgres-start.sh:/tracker/postgres-start.sh:ro" in postgres["volumes"]
    eight_gb = 8 * 1024 * 1024
    assert _shared_buffers(tmp_path, eight_gb, "max") == f"{eight_gb // 4}kB"
    # A container limited to 2 GB on the 8 GB machine sizes to its limit.
    assert _shared_buffers(tmp_path, eight_gb, str(2 * 1024**3)) == f"{512 * 1024}kB"
    # Under 1 GB an eighth, leaving the operating system room.
    assert _shared_buffers(tmp_path, 512 * 1024, None) == f"{64 * 1024}kB"
    assert _shared_buffers(tmp_path, eight_gb, "max", POSTGRES_SHARED_BUFFERS="3GB") == "3GB"


def test_the_docker_client_accepts_the_file_when_present(tmp_path):
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
    # env_file names .env beside the compose file: judge a copy with .env.example as .env.
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    result = subprocess.run(
        [docker, "compose", "-f", str(tmp_path / "docker-compose.yml"), "config", "--quiet"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_the_embedded_server_takes_an_eighth_of_the_memory_within_bounds():
    from tracker.devstack import shared_buffers_kb

    gib = 1024**3
    assert shared_buffers_kb(8 * gib) == 1024 * 1024
    # Never below PostgreSQL's own default, never above 2 GB; whole 8 kB pages.
    assert shared_buffers_kb(gib // 2) == 128 * 1024
    assert shared_buffers_kb(64 * gib) == 2 * 1024 * 1024
    assert shared_buffers_kb(3 * gib + 12345 * 1024) % 8 == 0


def test_a_backup_service_backs_up_daily_into_a_volume_and_keeps_the_set_days():
    backup = SERVICES["backup"]
    assert backup["build"] == "."  # the app's image: its pg_dump is PostgreSQL 18's
    assert SERVICES["postgres"]["image"] == "postgres:18"
    script = " ".join(backup["command"])
    assert "python manage.py backup --folder /backups" in script
    assert "sleep 86400" in script  # daily; a failure is retried sooner
    assert "backups:/backups" in backup["volumes"] and "backups" in COMPOSE["volumes"]
    assert backup["environment"]["BACKUP_DIR"] == "/backups"
    # Retention is the setting's, from .env: 14 days unless the operator says otherwise.
    assert "BACKUP_KEEP_DAYS" not in backup["environment"]
    assert re.search(r"^BACKUP_KEEP_DAYS=14$", (ROOT / ".env.example").read_text(), re.M)
    assert backup["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_the_backup_healthcheck_wants_a_backup_younger_than_a_day(tmp_path):
    import os
    import subprocess
    import sys
    import time

    command = SERVICES["backup"]["healthcheck"]["test"]
    assert command[:3] == ["CMD", "python", "-c"]
    code = command[3].replace("/backups/", f"{tmp_path}/")

    def healthy() -> bool:
        return subprocess.run([sys.executable, "-c", code], timeout=30).returncode == 0

    assert not healthy(), "no backup yet is not healthy"
    manifest = tmp_path / "20260301T000000Z" / "manifest.json"
    manifest.parent.mkdir()
    manifest.write_text("{}")
    assert healthy()
    old = time.time() - 27 * 3600
    os.utime(manifest, (old, old))
    assert not healthy()


def test_web_serves_the_snapshots_the_worker_writes_from_one_volume():
    for name in ("web", "worker"):
        assert "snapshots:/snapshots" in SERVICES[name]["volumes"]
        assert SERVICES[name]["environment"]["SNAPSHOTS_DIR"] == "/snapshots"
    assert "snapshots" in COMPOSE["volumes"]
