"""Benchmark of backup and restore (scripts/backup.sh, scripts/restore.sh) with the FY2019 sample submitted, its
PDFs rendered for real. Prints figures; asserts nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<yours> .venv/bin/python tests/bench/bench_backup.py

Two databases of its own are created next to the one of DATABASE_URL (<name>_bench_src_…, <name>_bench_dst_…) and
dropped at the end; the artefact stores and the backup are in a temporary folder."""
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

base_url = os.environ.get("DATABASE_URL", "")
if not base_url.startswith(("postgres://", "postgresql://")):
    sys.exit("DATABASE_URL=postgres://… is needed (the scripts back up PostgreSQL)")
tag = uuid.uuid4().hex[:8]
prefix, base_name = base_url.rsplit("/", 1)
SOURCE = f"{base_name}_bench_src_{tag}"
TARGET = f"{base_name}_bench_dst_{tag}"
work = Path(tempfile.mkdtemp(prefix="zoneeval-bench-backup-"))
os.environ.update(DATABASE_URL=f"{prefix}/{SOURCE}", ZONEEVAL_ARTEFACT_DIR=str(work / "store"),
                  DJANGO_SETTINGS_MODULE="zoneeval.settings", ZONEEVAL_VAR_DIR=str(work / "var"))
os.environ.setdefault("DEBUG", "1")  # a measuring tool, run like the demo
os.environ.pop("CELERY_BROKER_URL", None)  # tasks in-process


def psql_admin(*command):
    subprocess.run([*command, f"--maintenance-db={prefix}/postgres"], check=True, capture_output=True)


def size_of(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size


def submitted_sample():
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("migrate", verbosity=0)
    import json

    from tests.test_workflow import _approve_everything, _fix_reference_disagreements
    from zoneeval.archive import services as archive
    from zoneeval.assembly import services as assembly_services
    from zoneeval.authorities.models import Membership
    from zoneeval.authorities.services import ensure_user
    from zoneeval.drafting import services as drafting
    from zoneeval.reports.interchange.importer import import_document
    from zoneeval.workflow import services as wf

    edition = import_document(json.loads((ROOT / "zoneeval" / "samples" / "keihin-fy2019.json").read_text("utf-8")))
    people = {}
    for coauthor in edition.coauthors.select_related("authority"):
        for role in ("drafter", "approver"):
            people[f"{coauthor.authority.slug}-{role}"] = ensure_user(
                f"{coauthor.authority.slug}-{role}", "bench-password-123", authority=coauthor.authority, role=role)
    people["coordinator"] = ensure_user("coordinator", "bench-password-123", authority=edition.coordinator,
                                        role=Membership.Role.COORDINATOR)
    drafting.ensure_parts(edition)
    _fix_reference_disagreements(edition, people)
    _approve_everything(edition, people)
    run = assembly_services.run_synchronously(edition)
    for coauthor in edition.coauthors.select_related("authority"):
        wf.sign_off(people[f"{coauthor.authority.slug}-approver"], edition, run.snapshot.content_hash)
    submission = archive.submit(people["coordinator"], edition, run.snapshot.content_hash)
    from django.db import connection

    from zoneeval.assembly.models import Artefact

    figures = (Artefact.objects.count(), submission.pdf.pages, submission.pdf.size)
    connection.close()
    return figures


def main():
    psql_admin("createdb", SOURCE)
    psql_admin("createdb", TARGET)
    try:
        artefacts, pages, pdf_size = submitted_sample()
        backup = work / "backup"
        started = time.perf_counter()
        subprocess.run([str(ROOT / "scripts" / "backup.sh"), str(backup)], cwd=ROOT, check=True, capture_output=True)
        backup_seconds = time.perf_counter() - started
        env = dict(os.environ, DATABASE_URL=f"{prefix}/{TARGET}", ZONEEVAL_ARTEFACT_DIR=str(work / "restored"))
        started = time.perf_counter()
        restored = subprocess.run([str(ROOT / "scripts" / "restore.sh"), str(backup)], cwd=ROOT, env=env, check=True,
                                  capture_output=True, text=True)
        restore_seconds = time.perf_counter() - started
        summary = next(line for line in restored.stdout.splitlines() if line.startswith("検証："))
        print(f"zoneeval backup benchmark — FY2019 sample submitted ({artefacts} artefacts; submitted PDF "
              f"{pages} pages, {pdf_size:,} bytes), {os.cpu_count()} CPUs")
        print(f"  backup.sh                {backup_seconds:6.2f} s")
        print(f"  restore.sh (+ verify)    {restore_seconds:6.2f} s")
        print(f"  database.dump            {size_of(backup / 'database.dump'):>12,} bytes")
        print(f"  artefacts/               {size_of(backup / 'artefacts'):>12,} bytes")
        print(f"  whole backup             {size_of(backup):>12,} bytes")
        print(f"  {summary}")
    finally:
        for name in (SOURCE, TARGET):
            psql_admin("dropdb", "--if-exists", "--force", name)
        subprocess.run(["rm", "-rf", str(work)], check=False)


if __name__ == "__main__":
    main()
