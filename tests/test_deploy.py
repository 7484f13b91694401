"""deploy/: the Procfile and the systemd units run the same commands, and those commands name real things (the
Celery app, the queues of the settings, options Celery knows, management commands, gunicorn's config file)."""
import configparser
import importlib.util
import os
import re
import runpy
import shlex
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import get_commands

from zoneeval.celery import app
from zoneeval.health import configured_queues

from .conftest import ROOT

DEPLOY = ROOT / "deploy"
PROCESSES = {"web", "worker", "render", "beat"}


def procfile() -> dict[str, str]:
    entries = {}
    for line in (DEPLOY / "Procfile").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            entries[name.strip()] = command.strip()
    return entries


def with_defaults(command: str) -> list[str]:
    """The command as a shell would run it with none of the variables set (``${X:-default}`` → default)."""
    assert not re.search(r"\$(?!\{[A-Z_]+:-[^}]+\})", command), f"a variable without a default: {command}"
    return shlex.split(re.sub(r"\$\{[A-Z_]+:-([^}]+)\}", r"\1", command))


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read(DEPLOY / f"zoneeval-{name}.service", encoding="utf-8")
    return parser


def option(argv: list[str], name: str) -> str:
    for i, arg in enumerate(argv):
        if arg == name:
            return argv[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    raise AssertionError(f"{name} missing from {argv}")


def test_the_procfile_has_every_process_and_a_release_step():
    assert set(procfile()) == PROCESSES | {"release"}


@pytest.mark.parametrize("name", sorted(PROCESSES))
def test_each_systemd_unit_runs_the_procfile_command_with_the_environment_file(name):
    service = unit(name)["Service"]
    assert service["EnvironmentFile"] == "/etc/zoneeval/zoneeval.env"
    assert service["WorkingDirectory"] and service["User"] and service["Restart"] == "always"
    exec_start = service["ExecStart"]
    prefix = "/bin/sh -c '"
    assert exec_start.startswith(prefix + "exec ") and exec_start.endswith("'")
    # systemd: $$ is a shell $, %% a literal % (a single % would be a systemd specifier, %h its home directory).
    body = exec_start[len(prefix + "exec "):-1]
    assert not re.search(r"(?<!%)%(?!%)", body) and not re.search(r"(?<!\$)\$(?!\$)", body)
    assert body.replace("$$", "$").replace("%%", "%") == procfile()[name]
    assert unit(name)["Install"]["WantedBy"] == "multi-user.target"


def test_the_web_command_and_its_gunicorn_config(monkeypatch):
    argv = with_defaults(procfile()["web"])
    assert argv[:2] == ["gunicorn", "zoneeval.wsgi"]
    assert importlib.util.find_spec(argv[1]) is not None
    config = ROOT / option(argv, "-c")
    for name in ("PORT", "WEB_CONCURRENCY", "GUNICORN_TIMEOUT", "FORWARDED_ALLOW_IPS", "LOG_LEVEL", "LOG_FORMAT"):
        monkeypatch.delenv(name, raising=False)
    defaults = runpy.run_path(str(config))
    assert (defaults["bind"], defaults["workers"], defaults["accesslog"]) == ("0.0.0.0:8000", 2, None)
    assert defaults["timeout"] > 0 and defaults["forwarded_allow_ips"] == "127.0.0.1,::1"
    monkeypatch.setenv("PORT", "9123")
    monkeypatch.setenv("WEB_CONCURRENCY", "5")
    monkeypatch.setenv("LOG_FORMAT", "json")
    given = runpy.run_path(str(config))
    assert (given["bind"], given["workers"]) == ("0.0.0.0:9123", 5)
    assert given["logconfig_dict"]["handlers"]["console"]["formatter"] == "json"
    # gunicorn itself accepts the file and loads the application with it.
    check = subprocess.run([sys.executable, "-m", "gunicorn", "--check-config", *argv[1:]], cwd=ROOT,
                           env=dict(os.environ, DEBUG="1"), capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr


def _celery_help(*subcommand: str) -> str:
    result = subprocess.run([sys.executable, "-m", "celery", "-A", "zoneeval", *subcommand, "--help"], cwd=ROOT,
                            env=dict(os.environ, DEBUG="1"), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_worker_commands_serve_every_configured_queue_once_with_options_celery_knows():
    assert importlib.util.find_spec("zoneeval").origin and app.main == "zoneeval"
    worker_help = _celery_help("worker")
    served = []
    for name in ("worker", "render"):
        argv = with_defaults(procfile()[name])
        assert argv[:4] == ["celery", "-A", "zoneeval", "worker"]
        served.append(option(argv, "-Q"))
        assert option(argv, "-n") == f"{option(argv, '-Q')}@%h"  # one name per queue and host
        for arg in argv[4:]:
            if arg.startswith("--"):
                assert arg.split("=")[0] in worker_help, arg
    assert sorted(served) == configured_queues() == ["default", "render"]
    render = with_defaults(procfile()["render"])
    assert int(option(render, "--max-memory-per-child")) > 0 and int(option(render, "--max-tasks-per-child")) > 0


def test_the_beat_command_and_its_schedule_name_real_tasks():
    argv = with_defaults(procfile()["beat"])
    assert argv[:4] == ["celery", "-A", "zoneeval", "beat"]
    assert option(argv, "--schedule") == "var/celerybeat-schedule"
    assert "--schedule" in _celery_help("beat")
    app.loader.import_default_modules()
    assert settings.CELERY_BEAT_SCHEDULE
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


def test_the_release_step_runs_management_commands_that_exist():
    steps = [with_defaults(step) for step in procfile()["release"].split("&&")]
    assert [step[:3] for step in steps] == [["python", "manage.py", "migrate"], ["python", "manage.py", "collectstatic"]]
    assert {"migrate", "collectstatic"} <= set(get_commands())
    assert all("--noinput" in step for step in steps)


def test_the_nightly_backup_timer_runs_the_backup_script_with_the_environment_file():
    timer = configparser.ConfigParser(interpolation=None, strict=False)
    timer.optionxform = str
    timer.read(DEPLOY / "zoneeval-backup.timer", encoding="utf-8")
    assert timer["Timer"]["Unit"] == "zoneeval-backup.service" and timer["Timer"]["OnCalendar"]
    service = unit("backup")["Service"]
    assert service["Type"] == "oneshot" and service["EnvironmentFile"] == "/etc/zoneeval/zoneeval.env"
    body = service["ExecStart"].removeprefix("/bin/sh -c 'exec ").removesuffix("'")
    assert not re.search(r"(?<!%)%(?!%)", body) and not re.search(r"(?<!\$)\$(?!\$)", body)
    script = shlex.split(body.replace("$$", "$").replace("%%", "%"))[0]
    assert (ROOT / script).is_file() and os.access(ROOT / script, os.X_OK), script
