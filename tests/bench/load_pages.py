"""Pages under load: gunicorn (deploy/gunicorn.conf.py, 3 workers, DEBUG off as in production) on loopback, the
FY2019 sample and its demo users in a throw-away PostgreSQL database; N signed-in clients fire requests for a bounded
time at the edition page, then at a mixed set of pages. Prints p50/p95/p99 and req/s per page and client count;
asserts nothing. Stops by itself (each phase lasts ``--seconds``; gunicorn is stopped and the database dropped).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<yours> .venv/bin/python tests/bench/load_pages.py [--json]
        [--clients 20,50] [--seconds 15] [--workers 3] [--think 0] [--cache-url redis://127.0.0.1:6379/<n>]

The database <name>_load_<random> is created next to the one of DATABASE_URL and dropped at the end. Without
``--cache-url`` each worker has its own memory cache (CACHES falls back to locmem: no CACHE_URL, no broker).
Clients are standard-library threads (tests/live_http.py Session), one connection per request, each waiting for
its answer before the next (a closed loop: req/s is what the server sustained with that many users, and each
answer waits for the requests of the others); ``--think 1`` makes each client pause 1 s after each answer, as a
person reading would."""
from __future__ import annotations

import argparse
import json
import os
import secrets
import string
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests import processes  # noqa: E402
from tests.live_http import Session  # noqa: E402

PASSWORD = "load-bench-password-5820"
NOT_INHERITED = {"DEBUG", "DJANGO_SETTINGS_MODULE", "ZONEEVAL_VAR_DIR", "ZONEEVAL_ARTEFACT_DIR", "SECRET_KEY",
                 "ALLOWED_HOSTS", "DATABASE_URL", "PORT", "WEB_CONCURRENCY", "CELERY_BROKER_URL", "CACHE_URL",
                 "CELERY_RESULT_BACKEND"}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def psql(prefix: str, sql: str) -> None:
    subprocess.run(["psql", f"{prefix}/postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True,
                   capture_output=True)


def prepare(env: dict) -> dict:
    """Migrate, load the sample, make its users (each role of each co-author, the coordinator, a viewer), collect
    the static files (the manifest storage of DEBUG off needs them to print a page). Returns the page paths."""
    def manage(*args):
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=600)
        if done.returncode:
            sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    manage("migrate", "--noinput", "-v", "0")
    manage("collectstatic", "--noinput", "-v", "0")
    manage("import_report", str(ROOT / "zoneeval" / "samples" / "keihin-fy2019.json"))
    script = (
        "from zoneeval.reports.models import Edition\n"
        "from zoneeval.authorities.services import create_demo_users\n"
        "from zoneeval.drafting.models import Part\n"
        "e = Edition.objects.get(zone__slug='keihin', fiscal_year=2019)\n"
        "users = create_demo_users([c.authority for c in e.coauthors.select_related('authority')], e.coordinator,"
        f" password={PASSWORD!r})\n"
        "import json; print(json.dumps({'users': [u.username for u, _ in users],"
        " 'sections': sorted(set(Part.objects.filter(edition=e).values_list('section', flat=True)))}))\n"
    )
    out = manage("shell", "-c", script)
    return json.loads(out.strip().splitlines()[-1])


def pages(sections: list[str]) -> dict[str, str]:
    edition = "/keihin/2019/"
    mixed = {"edition": edition, "list": "/", "dashboard": edition + "draft/", "my-work": "/my-work/",
             "review": "/my-work/review/", "archive": "/keihin/archive/", "changes": edition + "changes/"}
    for section in [s for s in ("targets", "annex4") if s in sections] or sections[:2]:
        mixed[f"section:{section}"] = f"{edition}draft/{section}/"
    return mixed


def sign_in_all(base: str, users: list[str], n: int) -> list[Session]:
    sessions = []
    for i in range(n):
        session = Session(base, behind_https_proxy=True, timeout=120)
        response = session.sign_in(users[i % len(users)], PASSWORD)
        if response.status != 302 or "sessionid" not in session.cookies:
            sys.exit(f"{users[i % len(users)]} could not sign in: {response.status} {response.body[:300]}")
        sessions.append(session)
    return sessions


def run_phase(sessions: list[Session], paths: dict[str, str], seconds: float, think: float = 0) -> dict:
    """Every client requests the pages of ``paths`` in turn (each starting at a different one) until the time is
    up, pausing ``think`` seconds after each answer (0: at once). Returns the figures per page and overall."""
    names = list(paths)
    samples: dict[str, list[float]] = {name: [] for name in names}
    errors: dict[str, int] = {name: 0 for name in names}
    lock = threading.Lock()
    start = threading.Barrier(len(sessions) + 1)
    deadline = [0.0]

    def client(index: int, session: Session):
        start.wait()
        turn = index
        while time.monotonic() < deadline[0]:
            name = names[turn % len(names)]
            turn += 1
            began = time.perf_counter()
            try:
                status = session.get(paths[name]).status
            except OSError:
                status = 0
            took = time.perf_counter() - began
            with lock:
                samples[name].append(took)
                if status != 200:
                    errors[name] += 1
            if think:
                time.sleep(think)

    threads = [threading.Thread(target=client, args=(i, s), daemon=True) for i, s in enumerate(sessions)]
    for t in threads:
        t.start()
    deadline[0] = time.monotonic() + seconds
    began = time.monotonic()
    start.wait()
    for t in threads:
        t.join(timeout=seconds + 180)
    elapsed = time.monotonic() - began

    def figures(values, errs):
        return {"requests": len(values), "errors": errs, "req_per_s": round(len(values) / elapsed, 1),
                "p50_ms": round(percentile(values, 50) * 1000), "p95_ms": round(percentile(values, 95) * 1000),
                "p99_ms": round(percentile(values, 99) * 1000)}

    result = {name: figures(samples[name], errors[name]) for name in names}
    if len(names) > 1:
        result["all"] = figures([v for vs in samples.values() for v in vs], sum(errors.values()))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="20,50", help="client counts, comma-separated (20,50)")
    parser.add_argument("--seconds", type=float, default=15, help="duration of each phase (15)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes (3)")
    parser.add_argument("--think", type=float, default=0,
                        help="seconds each client waits after an answer (0: a closed loop, the server's limit)")
    parser.add_argument("--cache-url", default="", help="Redis for Django's cache (default: per-worker memory)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    counts = [int(c) for c in args.clients.split(",")]

    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL=postgres://… is needed (the load runs against PostgreSQL)")
    prefix, base_name = base_url.rsplit("/", 1)
    database = f"{base_name}_load_{uuid.uuid4().hex[:8]}"
    work = Path(tempfile.mkdtemp(prefix="zoneeval-load-"))
    port = processes.free_port()
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env.update(DEBUG="0", DJANGO_SETTINGS_MODULE="zoneeval.settings", PYTHONUNBUFFERED="1",
               SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(64)), ALLOWED_HOSTS="127.0.0.1",
               DATABASE_URL=f"{prefix}/{database}", ZONEEVAL_VAR_DIR=str(work / "var"),
               ZONEEVAL_ARTEFACT_DIR=str(work / "artefacts"), PORT=str(port), WEB_CONCURRENCY=str(args.workers),
               LOG_LEVEL="WARNING")
    if args.cache_url:
        env["CACHE_URL"] = args.cache_url
    (work / "var").mkdir()
    psql(prefix, f'CREATE DATABASE "{database}"')
    web = None
    report: dict = {"workers": args.workers, "seconds": args.seconds, "think": args.think,
                    "cache": "redis" if args.cache_url else "locmem per worker", "phases": {}}
    try:
        info = prepare(env)
        users = [u for u in info["users"] if u != "viewer"]
        paths = pages(info["sections"])
        web = processes.start("web", [str(processes.BIN / "gunicorn"), "zoneeval.wsgi", "-c",
                                      "deploy/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"], env, work)
        processes.wait_for_port(web, port, timeout=60)
        base = f"http://127.0.0.1:{port}"
        for n in counts:
            sessions = sign_in_all(base, users, n)
            for session in sessions[: args.workers * 2]:  # warm every worker (imports, first queries)
                for path in paths.values():
                    session.get(path)
            report["phases"][f"{n} clients, edition page"] = run_phase(sessions, {"edition": paths["edition"]},
                                                                       args.seconds, args.think)
            report["phases"][f"{n} clients, mixed pages"] = run_phase(sessions, paths, args.seconds, args.think)
    finally:
        if web is not None:
            processes.stop(web)
        psql(prefix, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        subprocess.run(["rm", "-rf", str(work)], check=False)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return
    print(f"gunicorn {args.workers} workers, DEBUG off, cache: {report['cache']}, {args.seconds:g} s per phase, "
          f"think time {args.think:g} s")
    for phase, figures in report["phases"].items():
        print(f"\n{phase}")
        print(f"  {'page':<20}{'requests':>9}{'errors':>8}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
        for name, f in figures.items():
            print(f"  {name:<20}{f['requests']:>9}{f['errors']:>8}{f['req_per_s']:>8}{f['p50_ms']:>9}"
                  f"{f['p95_ms']:>9}{f['p99_ms']:>9}")


if __name__ == "__main__":
    main()
