"""E-mail and the cache from the environment: SMTP when EMAIL_HOST is set (console otherwise), Redis at CACHE_URL."""
import json
import os
import subprocess
import sys

from .conftest import ROOT

PROBE = ("import json, django; django.setup(); from django.conf import settings as s; "
         "print(json.dumps({'backend': s.EMAIL_BACKEND, 'host': s.EMAIL_HOST, 'port': s.EMAIL_PORT, "
         "'user': s.EMAIL_HOST_USER, 'tls': s.EMAIL_USE_TLS, 'ssl': s.EMAIL_USE_SSL, 'from': s.DEFAULT_FROM_EMAIL, "
         "'server': s.SERVER_EMAIL, 'admins': s.ADMINS, 'cache': s.CACHES['default']}))")
CLEARED = {"DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CACHE_URL", "SECRET_KEY", "DEBUG",
           "ALLOWED_HOSTS", "ADMINS", "SERVER_EMAIL", "DEFAULT_FROM_EMAIL"} | {k for k in os.environ if k.startswith("EMAIL_")}


def _settings(**env):
    clean = {k: v for k, v in os.environ.items() if k not in CLEARED}
    clean.update(env, DEBUG="1", DJANGO_SETTINGS_MODULE="zoneeval.settings", ZONEEVAL_VAR_DIR="/tmp/zoneeval-settings-test")
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True)
    return result


def _loaded(**env) -> dict:
    result = _settings(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_without_email_host_mail_is_printed_and_the_cache_is_per_process():
    loaded = _loaded()
    assert loaded["backend"] == "django.core.mail.backends.console.EmailBackend"
    assert loaded["cache"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert loaded["admins"] == []


def test_email_host_switches_to_smtp_with_its_settings():
    loaded = _loaded(EMAIL_HOST="smtp.example.go.jp", EMAIL_PORT="587", EMAIL_HOST_USER="zoneeval",
                     EMAIL_HOST_PASSWORD="secret", EMAIL_USE_TLS="1", DEFAULT_FROM_EMAIL="zoneeval <no@example.go.jp>",
                     ADMINS="運用担当 <ops@example.go.jp>, dev@example.go.jp")
    assert loaded["backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (loaded["host"], loaded["port"], loaded["user"], loaded["tls"], loaded["ssl"]) == (
        "smtp.example.go.jp", 587, "zoneeval", True, False)
    assert loaded["from"] == loaded["server"] == "zoneeval <no@example.go.jp>"
    assert loaded["admins"] == [["運用担当", "ops@example.go.jp"], ["", "dev@example.go.jp"]]
    overridden = _loaded(EMAIL_HOST="smtp.example.go.jp", EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
    assert overridden["backend"] == "django.core.mail.backends.dummy.EmailBackend"


def test_tls_and_ssl_together_are_refused():
    result = _settings(EMAIL_HOST="smtp.example.go.jp", EMAIL_USE_TLS="1", EMAIL_USE_SSL="1")
    assert result.returncode != 0 and "EMAIL_USE_TLS" in result.stderr


def test_the_cache_is_redis_at_cache_url_or_the_brokers_redis():
    given = _loaded(CACHE_URL="redis://cache.internal:6379/2", CELERY_BROKER_URL="redis://broker.internal:6379/0")
    assert given["cache"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert given["cache"]["LOCATION"] == "redis://cache.internal:6379/2"
    from_broker = _loaded(CELERY_BROKER_URL="redis://broker.internal:6379/0")
    assert from_broker["cache"]["LOCATION"] == "redis://broker.internal:6379/0"
