"""The production smoke test: zoneeval as an operator runs it on several hosts (README "Production"), with the
production defaults (DEBUG off, https only behind a TLS-terminating proxy, WhiteNoise serving collected files).

Separate processes: an S3-compatible object store (moto's server), the web app under gunicorn with DEBUG off, a
Celery worker on the ``default`` queue and one on the ``render`` queue. Web and workers each have their own var and
artefact folders: they share only PostgreSQL (the test database), Redis (this run's broker) and the object store.
Over HTTP a drafter signs in and edits a passage through the real form, the coordinator starts assembly, the run is
followed until it has succeeded and the PDF that the render worker stored is downloaded from the web; /healthz
answers a load balancer with every queue served."""
from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import os
import re
import secrets
import string
import subprocess
import sys
import time

import pytest
from django.core.management import call_command

from zoneeval.assembly.models import AssemblyRun
from zoneeval.authorities.models import Membership
from zoneeval.authorities.services import ensure_user
from zoneeval.reports.models import Edition

from . import processes
from .conftest import ROOT, SAMPLE_PATH
from .live_http import Session, form_fields
from .test_worker import _database_url

pytestmark = pytest.mark.worker

PASSWORD = "smoke-test-password-7341"
SECTION = "/keihin/2019/draft/annex4/"
EDIT_PATH = re.compile(r'hx-get="(/draft/item/local-row/(\d+)/)"')
# Inherited variables that would make a process something else than a production host of its own.
NOT_INHERITED = {"DEBUG", "DJANGO_SETTINGS_MODULE", "ZONEEVAL_VAR_DIR", "ZONEEVAL_ARTEFACT_DIR", "SECRET_KEY",
                 "ALLOWED_HOSTS", "DATABASE_URL", "PORT", "WEB_CONCURRENCY"}


def _secret_key() -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(64))


@pytest.fixture(scope="module")
def production(django_db_setup, moto_s3, tmp_path_factory):
    """gunicorn (DEBUG off) and two Celery workers, each with its own var folder, artefacts on the object store."""
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith("redis") or not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.fail("the production smoke test needs DATABASE_URL=postgres://… and CELERY_BROKER_URL=redis://… "
                    "(make test)")
    folder = tmp_path_factory.mktemp("production")
    bucket = processes.new_bucket(moto_s3)
    common = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED and not k.startswith("ARTEFACT_S3_")}
    common.update(DEBUG="0", DJANGO_SETTINGS_MODULE="zoneeval.settings", SECRET_KEY=_secret_key(),
                  ALLOWED_HOSTS="127.0.0.1", DATABASE_URL=_database_url(), CELERY_BROKER_URL=broker,
                  LOG_LEVEL="INFO", PYTHONUNBUFFERED="1", HEALTHZ_WORKER_TIMEOUT="2",
                  **processes.s3_env(moto_s3, bucket, prefix="zoneeval"))

    def host(name: str) -> dict:
        var = folder / f"{name}-var"
        var.mkdir()
        return {**common, "ZONEEVAL_VAR_DIR": str(var), "ZONEEVAL_ARTEFACT_DIR": str(var / "artefacts")}

    web_env, default_env, render_env = host("web"), host("worker"), host("render")
    port = processes.free_port()
    web_env.update(PORT=str(port), WEB_CONCURRENCY="2")
    collected = subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput"], cwd=ROOT, env=web_env,
                               capture_output=True, text=True, timeout=300)
    assert collected.returncode == 0, collected.stdout + collected.stderr

    processes.delete_queues(broker, "default", "render")
    celery = str(processes.BIN / "celery")
    started = []
    try:
        started.append(processes.start("web", [str(processes.BIN / "gunicorn"), "zoneeval.wsgi", "-c",
                                               "deploy/gunicorn.conf.py"], web_env, folder))
        started.append(processes.start("worker", [celery, "-A", "zoneeval", "worker", "-Q", "default",
                                                  "-n", "default@%h", "--concurrency=2", "-l", "info"],
                                       default_env, folder))
        started.append(processes.start("render", [celery, "-A", "zoneeval", "worker", "-Q", "render",
                                                  "-n", "render@%h", "--concurrency=1",
                                                  "--max-memory-per-child=716800", "--max-tasks-per-child=200",
                                                  "-l", "info"], render_env, folder))
        web, worker, render = started
        processes.wait_for_port(web, port, timeout=60)
        for one in (worker, render):
            processes.wait_for(lambda one=one: " ready." in one.log.read_text(errors="replace"), 60,
                               f"{one.name} to be ready", started)
        yield {"base": f"http://127.0.0.1:{port}", "web": web, "worker": worker, "render": render,
               "processes": started, "endpoint": moto_s3, "bucket": bucket,
               "var_dirs": [folder / f"{name}-var" for name in ("web", "worker", "render")]}
    finally:
        for one in reversed(started):
            processes.stop(one)
        processes.delete_queues(broker, "default", "render")


@contextlib.contextmanager
def logs_on_failure(production):
    try:
        yield
    except AssertionError as failure:
        tails = "\n".join(processes.tail(p) for p in production["processes"])
        raise AssertionError(f"{failure}\n{tails}") from None


def _signed_in(base, username) -> Session:
    session = Session(base, behind_https_proxy=True)
    response = session.sign_in(username, PASSWORD)
    assert response.status == 302, f"{username} could not sign in: {response.status} {response.body[:500]}"
    assert "sessionid" in session.cookies
    return session


def _artefact_files(folder) -> list[str]:
    """Rendered files under a host's var folder (anywhere: its artefact folder or elsewhere)."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                  if p.is_file() and (p.suffix == ".pdf" or "artefacts" in p.relative_to(folder).parts))


@pytest.mark.django_db(transaction=True)
def test_sign_in_edit_assemble_and_download_the_pdf_rendered_on_another_host(production, settings):
    started_at = time.perf_counter()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]  # as the web app checks them
    call_command("import_report", str(SAMPLE_PATH))
    edition = Edition.objects.get(zone__slug="keihin", fiscal_year=2019)
    yokohama = edition.coauthors.get(authority__slug="yokohama").authority
    ensure_user("yokohama-drafter", PASSWORD, authority=yokohama, role=Membership.Role.DRAFTER)
    ensure_user("coordinator", PASSWORD, authority=edition.coordinator, role=Membership.Role.COORDINATOR)
    base = production["base"]

    idle = _render_child_memory(production)
    with logs_on_failure(production):
        # a drafter edits one passage through the real form
        drafter = _signed_in(base, "yokohama-drafter")
        page = drafter.get(SECTION)
        assert page.status == 200, page.body[:500]
        path = EDIT_PATH.search(page.body).group(1)
        marker = "本番確認：交付実績四十二件"
        saved = drafter.post(path, {**form_fields(drafter.get(path).body, path), "result": f"<p>{marker}</p>"})
        assert saved.status == 302, saved.body[:500]
        assert marker in drafter.get(SECTION).body

        # the coordinator starts assembly with the edition page's button
        coordinator = _signed_in(base, "coordinator")
        edition_page = coordinator.get("/keihin/2019/")
        assert edition_page.status == 200
        action = "/keihin/2019/assembly/"
        started = coordinator.post(action, form_fields(edition_page.body, action))
        assert started.status == 302, started.body[:500]
        run = AssemblyRun.objects.filter(edition=edition).first()
        assert run is not None and run.requested_by.username == "coordinator"

        # followed over HTTP until the PDF link appears
        status_path, pdf_path = f"/keihin/2019/assembly/{run.pk}/", f"/keihin/2019/assembly/{run.pk}/pdf/"

        def done():
            run.refresh_from_db()
            assert run.status != "failed", run.failure
            fragment = coordinator.get(status_path, headers={"HX-Request": "true"})
            assert fragment.status == 200
            return pdf_path in fragment.body and run.status == "succeeded"

        processes.wait_for(done, 240, f"run {run.pk} to succeed", production["processes"])

        # downloaded from the web: the PDF the render worker stored
        pdf = coordinator.get(pdf_path)
        assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF") and pdf.content.rstrip().endswith(b"%%EOF")
        run.refresh_from_db()
        assert hashlib.sha256(pdf.content).hexdigest() == run.artefact.sha256
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True).stdout
        assert marker in "".join(text.decode("utf-8").split())  # the edit is in it

        # it was only on the object store: no host's folder holds it
        objects = processes.s3_objects(production["endpoint"], production["bucket"])
        pieces = {name for name in objects if name.startswith("zoneeval/pieces/")}  # the piece cache, also there
        assert {name: data for name, data in objects.items() if name not in pieces} == {
            f"zoneeval/{run.artefact.relative_path}": pdf.content}
        assert len([name for name in pieces if name.endswith(".json")]) >= run.pieces_total
        for folder in production["var_dirs"]:
            assert _artefact_files(folder) == [], folder

        # each stage ran where it is routed: render on the render worker, the rest on the default worker
        worker_log = production["worker"].log.read_text(errors="replace")
        render_log = production["render"].log.read_text(errors="replace")
        ran = re.compile(r"Task zoneeval\.assembly\.tasks\.(\w+)\[[^]]+\] succeeded")
        assert sorted(ran.findall(worker_log)) == ["assemble_stage", "plan_render_stage", "validate_stage"]
        rendered = ran.findall(render_log)  # a chord: one task per piece, then the merge
        assert rendered[-1] == "merge_pieces_stage" and set(rendered[:-1]) == {"render_piece_stage"}
        assert len(rendered) - 1 == run.pieces_total
        assert f"assembly run {run.pk} rendered in process" in render_log

    # the render worker's child keeps what it grew to (README "Production": the memory cap)
    memory = _render_child_memory(production)
    print(f"\nproduction smoke test: {time.perf_counter() - started_at:.1f} s from import to download; "
          f"{run.artefact.pages} pages; render child RSS before rendering {idle.get('VmRSS', 0) / 1024:.0f} MiB, "
          f"after one render {memory.get('VmRSS', 0) / 1024:.0f} MiB (peak {memory.get('VmHWM', 0) / 1024:.0f} MiB)")


def _render_child_memory(production) -> dict:
    child = processes.children(production["render"].pid)
    return processes.memory_kib(child[0]) if len(child) == 1 else {}


def _get(production, path, headers) -> tuple[int, dict, bytes]:
    """A plain GET with exactly these headers (a load balancer's probe, a browser behind the proxy)."""
    port = int(production["base"].rsplit(":", 1)[1])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


@pytest.mark.django_db(transaction=True)  # beside the other test of the module: one set of processes for both
def test_collected_static_files_https_only_and_healthz_under_gunicorn(production):
    """WhiteNoise serves the collected, hashed, compressed files the pages name (htmx included) from this origin, which
    the CSP allows; everything but /healthz is https only and for the configured host; /healthz answers a load
    balancer (its own Host, plain HTTP) with the database, the broker and a worker on each queue."""
    https = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https"}  # as the TLS-terminating proxy sends it
    with logs_on_failure(production):
        manifest = json.loads((production["var_dirs"][0] / "staticfiles" / "staticfiles.json").read_text())["paths"]
        assert re.fullmatch(r"js/htmx\.min\.[0-9a-f]{12}\.js", manifest["js/htmx.min.js"])
        status, headers, body = _get(production, "/accounts/login/", https)
        assert status == 200, body[:500]
        csp = dict(part.strip().split(" ", 1) for part in headers["content-security-policy"].split(";"))
        assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
        linked = re.findall(r'(?:href|src)="(/static/[^"]+)"', body.decode())
        assert linked and all(re.search(r"\.[0-9a-f]{12}\.(css|js|svg|png|ico)$", url) for url in linked), linked
        for url in [*linked, "/static/" + manifest["js/htmx.min.js"]]:
            status, headers, _ = _get(production, url, {**https, "Accept-Encoding": "gzip"})
            assert status == 200, url
            assert "immutable" in headers["cache-control"] and headers.get("content-encoding") == "gzip", url
        status, _, content = _get(production, "/static/" + manifest["js/htmx.min.js"], https)
        assert content == (ROOT / "static" / "js" / "htmx.min.js").read_bytes()
        assert _get(production, "/static/js/not-collected.js", https)[0] == 404
        assert _get(production, "/accounts/login/", {"Host": "127.0.0.1"})[0] == 301  # plain HTTP: to https
        assert _get(production, "/accounts/login/", {**https, "Host": "10.0.3.7"})[0] == 400  # not our host name

        status, _, body = _get(production, "/healthz", {"Host": "10.0.3.7"})
        assert status == 200, body
        health = json.loads(body)
        assert (health["database"], health["broker"], health["workers"]["missing"]) == ("ok", "ok", [])
        assert (health["workers"]["default"], health["workers"]["render"]) == (1, 1), health
