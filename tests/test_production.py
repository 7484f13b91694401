"""Production mode: DEBUG off under gunicorn with deploy/gunicorn.conf.py; WhiteNoise serves the collected, hashed
and compressed static files (htmx included) that the CSP allows; /healthz answers a load balancer's probe."""
import contextlib
import http.client
import json
import os
import re
import secrets
import subprocess
import sys
import time

import pytest

from .conftest import ROOT
from .live_http import free_port
from .test_worker import _database_url

pytestmark = pytest.mark.django_db(transaction=True)
HOST = "zoneeval.example.go.jp"


def production_env(var_dir, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE"}}
    env.update(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS=HOST, DATABASE_URL=_database_url(),
               ZONEEVAL_VAR_DIR=str(var_dir), PYTHONUNBUFFERED="1", **extra)
    return env


@contextlib.contextmanager
def gunicorn(env: dict, log_path):
    port = free_port()
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "zoneeval.wsgi", "-c", "deploy/gunicorn.conf.py"],
                                cwd=ROOT, env={**env, "PORT": str(port), "WEB_CONCURRENCY": "1"}, stdout=log,
                                stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, log_path.read_text()
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=2).connect()
                break
            except OSError:
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def get(port, path, headers):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def test_gunicorn_with_debug_off_serves_collected_static_files_and_healthz(tmp_path):
    env = production_env(tmp_path / "var", HEALTHZ_WORKER_TIMEOUT="0.5")
    collected = subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput"], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=300)
    assert collected.returncode == 0, collected.stderr
    manifest = json.loads((tmp_path / "var" / "staticfiles" / "staticfiles.json").read_text())["paths"]
    assert re.fullmatch(r"js/htmx\.min\.[0-9a-f]{12}\.js", manifest["js/htmx.min.js"])

    with gunicorn(env, tmp_path / "gunicorn.log") as port:
        https = {"Host": HOST, "X-Forwarded-Proto": "https"}  # as the TLS-terminating proxy sends it
        status, headers, body = get(port, "/accounts/login/", https)
        assert status == 200, body
        csp = dict(part.strip().split(" ", 1) for part in headers["content-security-policy"].split(";"))
        assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
        # The page names the hashed files; each is served by WhiteNoise from this origin (so 'self' allows it),
        # cached for good, and compressed for a client that accepts it.
        linked = re.findall(r'(?:href|src)="(/static/[^"]+)"', body.decode())
        assert linked and all(re.search(r"\.[0-9a-f]{12}\.(css|js|svg|png|ico)$", url) for url in linked), linked
        for url in [*linked, "/static/" + manifest["js/htmx.min.js"]]:
            status, headers, _ = get(port, url, {**https, "Accept-Encoding": "gzip"})
            assert status == 200, url
            assert "immutable" in headers["cache-control"] and headers.get("content-encoding") == "gzip", url
        assert get(port, "/static/js/not-collected.js", https)[0] == 404

        # A load balancer's probe: its own Host, plain HTTP, no redirect, no 400; JSON saying what is missing.
        status, headers, body = get(port, "/healthz", {"Host": "10.0.3.7"})
        assert status == 503, body
        assert json.loads(body) == {"database": "ok", "broker": "ok", "workers": "error: no worker answered"}
        assert get(port, "/accounts/login/", {"Host": HOST})[0] == 301  # everything else: https only
        assert get(port, "/accounts/login/", {"Host": "10.0.3.7", "X-Forwarded-Proto": "https"})[0] == 400
    log = (tmp_path / "gunicorn.log").read_text()
    assert "zoneeval.request" in log and "GET /accounts/login/ 200" in log
