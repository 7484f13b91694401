"""Settings come from the environment; the demo defaults are refused when DEBUG is off."""
import os
import subprocess
import sys

from .conftest import ROOT

PROBE = "import django; django.setup(); from django.conf import settings; " \
        "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER)"


def _run(env_overrides):
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"}}
    env.update(env_overrides, DJANGO_SETTINGS_MODULE="zoneeval.settings", ZONEEVAL_VAR_DIR="/tmp/zoneeval-settings-test")
    return subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True)


def test_debug_is_off_unless_switched_on():
    production = {"SECRET_KEY": "k9Xy!" * 12, "ALLOWED_HOSTS": "example.org", "DATABASE_URL": "postgres://u@h/x"}
    probe = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"}}
    env.update(production, DJANGO_SETTINGS_MODULE="zoneeval.settings", ZONEEVAL_VAR_DIR="/tmp/zoneeval-settings-test")
    unset = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True)
    assert unset.returncode == 0, unset.stderr
    assert unset.stdout.strip() == "False"
    for value, expected in (("1", "True"), ("0", "False"), ("no", "False")):
        result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env={**env, "DEBUG": value},
                                capture_output=True, text=True)
        assert result.stdout.strip() == expected, (value, result.stderr)


def test_no_variables_refuses_to_start_and_says_how_to_run_the_demo():
    result = _run({})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "DEBUG=1" in result.stderr


def test_the_demo_is_debug_with_sqlite_and_eager_celery():
    result = _run({"DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True"]


def test_sqlite_takes_the_write_lock_when_a_transaction_begins_and_waits_for_it():
    probe = ("import django; django.setup(); from django.db import connection; "
             "o = connection.settings_dict['OPTIONS']; connection.ensure_connection(); c = connection.cursor(); "
             "c.execute('PRAGMA journal_mode'); j = c.fetchone()[0]; c.execute('PRAGMA busy_timeout'); "
             "print(o['transaction_mode'], j, c.fetchone()[0])")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY"}}
    env.update(DEBUG="1", DJANGO_SETTINGS_MODULE="zoneeval.settings", ZONEEVAL_VAR_DIR="/tmp/zoneeval-settings-test")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    mode, journal, busy_ms = result.stdout.split()
    assert mode == "IMMEDIATE" and journal == "wal" and int(busy_ms) >= 10000


def test_database_and_broker_from_the_environment():
    result = _run({"DEBUG": "1", "DATABASE_URL": "postgres://u@127.0.0.1:5432/x",
                   "CELERY_BROKER_URL": "redis://127.0.0.1:6379/3"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "False"]


def test_demo_secret_key_is_refused_without_debug():
    result = _run({"DEBUG": "0", "ALLOWED_HOSTS": "example.org", "DATABASE_URL": "postgres://u@h/x"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_sqlite_demo_database_and_missing_hosts_are_refused_without_debug():
    key = "k9Xy!" * 12
    no_db = _run({"DEBUG": "0", "SECRET_KEY": key, "ALLOWED_HOSTS": "example.org"})
    assert no_db.returncode != 0 and "DATABASE_URL" in no_db.stderr
    no_hosts = _run({"DEBUG": "0", "SECRET_KEY": key, "DATABASE_URL": "postgres://u@h/x"})
    assert no_hosts.returncode != 0 and "ALLOWED_HOSTS" in no_hosts.stderr


def test_production_settings_load_with_real_values():
    result = _run({"DEBUG": "0", "SECRET_KEY": "k9Xy!" * 12, "ALLOWED_HOSTS": "example.org",
                   "DATABASE_URL": "postgres://u@h/x", "CELERY_BROKER_URL": "redis://127.0.0.1:6379/1"})
    assert result.returncode == 0, result.stderr


def test_check_deploy_is_clean_under_production_settings():
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"}}
    env.update(DEBUG="0", SECRET_KEY="Zq8#mP2v!Lr5^Tn9@Wx4$Kc7&Hb3*Gd6(Jf1)Ys0-Ue" + "aB3dE6gH9j",
               ALLOWED_HOSTS="zoneeval.example.jp", DATABASE_URL="postgres://u@127.0.0.1:5432/x",
               ZONEEVAL_VAR_DIR="/tmp/zoneeval-settings-test")
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT,
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
