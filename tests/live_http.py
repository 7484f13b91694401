"""A small HTTP client for tests against a running server (a live_server thread or a subprocess): sign in with the
real login form (cookies and CSRF token), read a form's fields from a page, post it. Standard library only, so that
many threads can each hold one and fire requests at the same moment."""
from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path


@dataclass
class Response:
    status: int
    headers: dict
    body: str
    content: bytes = b""  # the body as received (a PDF)


@dataclass
class Session:
    base_url: str
    cookies: dict = field(default_factory=dict)
    timeout: float = 60
    # Behind a TLS-terminating proxy (production settings trust X-Forwarded-Proto): every request says it came over
    # https, and the Referer of a form post is an https address (Django's CSRF check compares it).
    behind_https_proxy: bool = False

    def _connection(self):
        parsed = urllib.parse.urlsplit(self.base_url)
        return http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=self.timeout)

    def connect(self) -> http.client.HTTPConnection:
        """An open connection for the next request (so that many threads can connect one after the other, then send
        their requests at the same moment without overflowing the server's listen queue)."""
        conn = self._connection()
        conn.connect()
        return conn

    def request(self, method: str, path: str, data=None, headers: dict | None = None,
                conn: http.client.HTTPConnection | None = None) -> Response:
        """One request, redirects not followed; cookies set by the response are kept."""
        conn = conn or self._connection()
        sent = {"Host": urllib.parse.urlsplit(self.base_url).netloc, **(headers or {})}
        origin = self.base_url
        if self.behind_https_proxy:
            sent["X-Forwarded-Proto"] = "https"
            origin = "https://" + urllib.parse.urlsplit(self.base_url).netloc
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Referer"] = origin + path
        try:
            conn.request(method, path, body=body, headers=sent)
            raw = conn.getresponse()
            content = raw.read()
            payload = content.decode("utf-8", "replace")
            for name, value in raw.getheaders():  # Secure cookies too (kept whatever the scheme)
                if name.lower() == "set-cookie":
                    morsel = value.split(";", 1)[0]
                    key, _, val = morsel.partition("=")
                    self.cookies[key.strip()] = val.strip()
            return Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, payload, content)
        finally:
            conn.close()

    def get(self, path: str, **kw) -> Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, data: dict, **kw) -> Response:
        data = {**data, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
        return self.request("POST", path, data=data, **kw)

    def sign_in(self, username: str, password: str) -> Response:
        self.get("/accounts/login/")  # the CSRF cookie
        return self.post("/accounts/login/", {"username": username, "password": password, "next": "/"})


def all_at_once(calls) -> list[Response]:
    """``calls``: [(session, send)] where ``send(conn)`` makes one request on ``conn``. Every connection is opened
    first, one after the other; then a barrier releases all threads together. The responses, in order."""
    conns = [session.connect() for session, _ in calls]
    barrier = threading.Barrier(len(calls))

    def run(index):
        barrier.wait(timeout=30)
        return calls[index][1](conns[index])

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, range(len(calls))))


class _FormParser(HTMLParser):
    """The fields of the first <form> whose action is ``action``: {name: value or [values]} as a browser sends."""

    def __init__(self, action: str):
        super().__init__(convert_charrefs=True)
        self.action, self.inside, self.done = action, False, False
        self.fields: list[tuple[str, str]] = []
        self._textarea = self._select = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done and a.get("action") == self.action:
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button", "file"):
                return
            self.fields.append((a["name"], a.get("value") or ("on" if kind in ("checkbox", "radio") else "")))
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], []
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            text = "".join(self._text)
            self.fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True


def form_fields(html: str, action: str) -> dict:
    parser = _FormParser(action)
    parser.feed(html)
    if not parser.done and not parser.fields:
        raise AssertionError(f"no form posting to {action}")
    data: dict = {}
    for name, value in parser.fields:
        if name in data:
            data[name] = (data[name] if isinstance(data[name], list) else [data[name]]) + [value]
        else:
            data[name] = value
    data.pop("csrfmiddlewaretoken", None)
    return data


def free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


ROOT = Path(__file__).resolve().parent.parent
DEMO_ENV_DROPPED = {"DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CACHE_URL", "SECRET_KEY",
                    "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE"}


def demo_env(var_dir: Path, **extra) -> dict:
    """The environment of the embedded demo (SQLite, eager tasks): no database or broker variables."""
    env = {k: v for k, v in os.environ.items() if k not in DEMO_ENV_DROPPED}
    env.update(DEBUG="1", ZONEEVAL_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="zoneeval.settings",
               PYTHONUNBUFFERED="1", **extra)
    return env


def manage(env: dict, *args: str, timeout: float = 300) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=timeout)
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@contextlib.contextmanager
def served(env: dict, lifetime: int = 300):
    """``manage.py runserver`` (threaded) on a free loopback port, for at most ``lifetime`` seconds (coreutils
    ``timeout`` stops it even if the test process dies); yields the base URL and stops the server afterwards."""
    port = free_port()
    log = open(Path(env["ZONEEVAL_VAR_DIR"]) / "server.log", "w")
    proc = subprocess.Popen(["timeout", "-k", "5", str(lifetime), sys.executable, "manage.py", "runserver",
                             "--noreload", f"127.0.0.1:{port}"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise AssertionError("the server stopped: " + (Path(env["ZONEEVAL_VAR_DIR"]) / "server.log").read_text())
            try:
                if Session(base, timeout=5).get("/accounts/login/").status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("the server did not start within 60 s")
            time.sleep(0.2)
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        log.close()
