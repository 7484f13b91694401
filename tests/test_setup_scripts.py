"""The set-up scripts: they ask apt-get for nothing when everything is there, and for what is missing when something
is; the demo's set-up runs without a pipe that can break, twice, the second time changing nothing; the demo users keep
their roles; `make serve` honours PORT."""
import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from .conftest import ROOT
from .live_http import demo_env

SCRIPTS = sorted((ROOT / "scripts").glob("*.sh"))
FAKE = """#!/bin/sh
# A package manager that always fails and writes down that it was called.
echo "$(basename "$0") $*" >> "{record}"
exit 1
"""


@pytest.fixture
def failing_apt(tmp_path) -> tuple[Path, Path]:
    """A folder with `apt-get`, `apt` and `sudo` that always fail and record each call; and the record file."""
    folder, record = tmp_path / "fake-bin", tmp_path / "apt-calls.txt"
    folder.mkdir()
    for name in ("apt-get", "apt", "sudo"):
        (folder / name).write_text(FAKE.format(record=record))
        (folder / name).chmod(0o755)
    return folder, record


def run(args: list[str], path: str, timeout: float = 120, **env) -> subprocess.CompletedProcess:
    environment = {**{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")},
                   "PATH": path, **env}
    return subprocess.run(args, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=timeout)


def test_everything_installed_means_no_apt_get_no_sudo(failing_apt):
    folder, record = failing_apt
    path = f"{folder}:{os.environ['PATH']}"
    for args in (["scripts/bootstrap.sh"], ["scripts/test.sh", "--prepare-only"],
                 ["scripts/requirements.sh", "--check-only", "demo", "services", "test"]):
        result = run(args, path)
        assert result.returncode == 0, f"{args}:\n{result.stdout}\n{result.stderr}"
    assert not record.exists(), f"apt-get/apt/sudo were called: {record.read_text()}"


def test_a_missing_command_is_installed_with_apt_get_and_only_it(failing_apt, tmp_path):
    """pdftotext is taken out of PATH (a folder of links to every other command of PATH): the check finds it missing
    and asks apt-get for poppler-utils alone; the lists are refreshed only after the install from them failed."""
    folder, record = failing_apt
    shadow = tmp_path / "path-without-pdftotext"
    shadow.mkdir()
    for directory in os.environ["PATH"].split(os.pathsep):
        if not os.path.isdir(directory):
            continue
        for entry in os.scandir(directory):
            target = shadow / entry.name
            if entry.name != "pdftotext" and not target.exists() and os.access(entry.path, os.X_OK):
                target.symlink_to(entry.path)
    path = f"{folder}:{shadow}"

    checked = run(["scripts/requirements.sh", "--check-only", "demo"], path)
    assert checked.returncode == 1 and "command pdftotext (poppler-utils)" in checked.stderr, checked.stderr
    assert not record.exists()

    result = run(["scripts/requirements.sh", "demo"], path)
    assert result.returncode != 0  # the fake apt-get always fails
    calls = record.read_text().splitlines()
    assert calls[0].startswith("apt-get install") and calls[0].split()[-1] == "poppler-utils", calls
    assert [c.split()[:2] for c in calls] == [["apt-get", "install"], ["apt-get", "update"]]  # offline: stops
    assert all("fonts-" not in c and "libpango" not in c for c in calls), calls


def _code_lines(script: Path):
    for number, line in enumerate(script.read_text().splitlines(), 1):
        code = line.split("#", 1)[0] if not line.lstrip().startswith("#!") else ""
        code = re.sub(r'"[^"]*"|\'[^\']*\'', '""', code)  # text in quotes is no pipe
        code = code.replace("||", "")
        if re.match(r"^\s*[\w.|*:/-]+\)", code):  # a `case` pattern (a|b, postgres://*|postgresql://*)
            continue
        yield number, code


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_no_script_pipes_under_pipefail(script):
    """With pipefail, a reader that stops early (head, grep -q) breaks its writer's pipe and fails the step at random
    (setup.sh did, with PYTHONUNBUFFERED=1). The scripts read outputs into variables instead."""
    assert "set -euo pipefail" in script.read_text()
    pipes = [f"{script.name}:{n}: {code.strip()}" for n, code in _code_lines(script) if "|" in code]
    assert not pipes, pipes


def test_setup_twice_with_unbuffered_python_second_run_changes_nothing(tmp_path):
    """scripts/setup.sh on an empty var folder, then again: the second run migrates, imports, creates and renders
    nothing, and the demo users keep a role given to them in between."""
    env = demo_env(tmp_path / "var")
    first = subprocess.run(["scripts/setup.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Imported keihin 2019" in first.stdout and "Demo users: 8 created" in first.stdout, first.stdout
    pdf = tmp_path / "var" / "demo" / "keihin-2019.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")

    # Someone's role changes in the demo between the runs (here: the viewer becomes a drafter of 横浜市).
    script = ("from zoneeval.authorities.models import Authority, Membership; "
              "m = Membership.objects.get(user__username='viewer'); "
              "m.authority = Authority.objects.get(slug='yokohama'); m.role = 'drafter'; m.save()")
    subprocess.run([".venv/bin/python", "manage.py", "shell", "-c", script], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=120)

    second = subprocess.run(["scripts/setup.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Database schema up to date." in second.stdout
    assert "Sample already loaded (keihin 2019)." in second.stdout
    assert "Demo users: 0 created (none), 8 kept as they are." in second.stdout
    assert "already rendered for this content;" in second.stdout and "copied" not in second.stdout, second.stdout
    check = ("from zoneeval.authorities.models import Membership; "
             "print([(m.role, m.authority.slug if m.authority else None) "
             "for m in Membership.objects.filter(user__username='viewer')])")
    roles = subprocess.run([".venv/bin/python", "manage.py", "shell", "-c", check], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120)
    assert roles.stdout.strip().splitlines()[-1] == "[('drafter', 'yokohama')]", roles.stdout + roles.stderr


@pytest.mark.django_db
def test_create_demo_users_keeps_existing_users_roles_and_passwords(edition):
    from zoneeval.authorities.models import Membership
    from zoneeval.authorities.services import create_demo_users

    authorities = [c.authority for c in edition.coauthors.select_related("authority")]
    first = create_demo_users(authorities, edition.coordinator)
    assert all(created for _, created in first) and len(first) == 2 * len(authorities) + 2
    approver = next(u for u, _ in first if u.username == "yokohama-approver")
    approver.memberships.all().delete()
    Membership.objects.create(user=approver, authority=edition.coordinator, role=Membership.Role.COORDINATOR)
    approver.set_password("changed-by-the-user-123")
    approver.save()
    first[0][0].delete()  # one demo user removed: made again

    second = create_demo_users(authorities, edition.coordinator)
    assert [(u.username, created) for u, created in second if created] == [(first[0][0].username, True)]
    approver.refresh_from_db()
    assert [(m.authority_id, m.role) for m in approver.memberships.all()] == [(edition.coordinator.pk, "coordinator")]
    assert approver.check_password("changed-by-the-user-123")


@pytest.mark.parametrize("how", ["default", "argument", "environment"])
def test_make_serve_honours_port(how):
    env = {k: v for k, v in os.environ.items() if k != "PORT"}
    args = ["make", "-n", "serve"]
    if how == "argument":
        args.append("PORT=8123")
    elif how == "environment":
        env["PORT"] = "8123"
    out = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=30, check=True).stdout
    runserver = next(shlex.split(line) for line in out.splitlines() if "runserver" in line)
    assert runserver[-1] == ("127.0.0.1:8000" if how == "default" else "127.0.0.1:8123"), out
    assert ("http://127.0.0.1:8000/" if how == "default" else "http://127.0.0.1:8123/") in out
