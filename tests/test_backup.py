"""Backup and restore (README "Backup and restore"): scripts/backup.sh and scripts/restore.sh against PostgreSQL,
restoring into an empty database and an empty artefact store and verifying every archived file's SHA-256; and the
commands behind them (backup_artefacts, restore_artefacts, verify_archive)."""
import json
import os
import re
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from tests.test_archive import submitted  # noqa: F401  (a fixture)
from tests.test_worker import _database_url
from tests.test_workflow import artefacts, people  # noqa: F401  (fixtures; artefacts is autouse)
from zoneeval.assembly.models import Artefact
from zoneeval.workflow.models import Submission

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parent.parent
SUMMARY = re.compile(r"検証：成果物 (\d+)/(\d+) 件、提出版PDF (\d+)/(\d+) 件、提出版データ (\d+)/(\d+) 件のSHA-256が一致。"
                     r"問題 (\d+) 件。")


def _script(name: str, *args, database_url: str, artefact_dir) -> subprocess.CompletedProcess:
    env = dict(os.environ, DATABASE_URL=database_url, ZONEEVAL_ARTEFACT_DIR=str(artefact_dir))
    return subprocess.run([str(ROOT / "scripts" / name), *map(str, args)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)


def _manage(*args, database_url: str, artefact_dir) -> subprocess.CompletedProcess:
    env = dict(os.environ, DATABASE_URL=database_url, ZONEEVAL_ARTEFACT_DIR=str(artefact_dir))
    return subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


def _summary(output: str) -> tuple[int, ...]:
    found = SUMMARY.search(output)
    assert found, output
    return tuple(int(n) for n in found.groups())


def _submission_hashes(database_url: str) -> list[tuple]:
    with psycopg.connect(database_url) as db:
        return db.execute("select s.content_hash, s.pdf_sha256, s.export_sha256, a.relative_path, a.sha256 "
                          "from workflow_submission s join assembly_artefact a on a.id = s.pdf_id "
                          "order by s.id").fetchall()


def _pg(*command: str) -> None:
    db = settings.DATABASES["default"]
    subprocess.run([*command, "-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432),
                    "-U", db.get("USER") or "postgres"], check=True, capture_output=True, timeout=120)


@pytest.fixture
def empty_database():
    """A new, empty PostgreSQL database of this test's own (dropped at teardown), as a DATABASE_URL."""
    if connection.vendor != "postgresql":
        pytest.fail("the backup test needs DATABASE_URL=postgres://… (make test)")
    name = f"{settings.DATABASES['default']['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    _pg("createdb", name)
    try:
        yield _database_url().rsplit("/", 1)[0] + "/" + name
    finally:
        _pg("dropdb", "--if-exists", "--force", name)


def test_backup_restores_into_an_empty_database_and_store_with_every_file_verified(submitted, empty_database,
                                                                                 tmp_path):
    source_url = _database_url()
    artefact_count, submission_count = Artefact.objects.count(), Submission.objects.count()
    assert submission_count == 1 and artefact_count >= 2  # the run's draft PDF and the submitted PDF
    backup = tmp_path / "backup"
    made = _script("backup.sh", backup, database_url=source_url, artefact_dir=settings.ARTEFACT_DIR)
    assert made.returncode == 0, made.stdout + made.stderr
    assert {p.name for p in backup.iterdir()} == {"database.dump", "artefacts", "SHA256SUMS"}
    manifest = json.loads((backup / "artefacts" / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(e["sha256"] for e in manifest["artefacts"]) == sorted(Artefact.objects.values_list("sha256", flat=True))

    store = tmp_path / "restored-artefacts"  # empty, as on a new host
    restored = _script("restore.sh", backup, database_url=empty_database, artefact_dir=store)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    # every archived file's SHA-256 verified in the restored database and store
    assert _summary(restored.stdout) == (artefact_count, artefact_count, submission_count, submission_count,
                                         submission_count, submission_count, 0)
    assert len([p for p in store.rglob("*") if p.is_file()]) == artefact_count
    assert _submission_hashes(empty_database) == _submission_hashes(source_url)
    verified = _manage("verify_archive", database_url=empty_database, artefact_dir=store)
    assert verified.returncode == 0, verified.stdout + verified.stderr

    # one byte of one restored file changed: verify_archive fails and names it
    relative_path = Submission.objects.get().pdf.relative_path
    tampered = store / relative_path
    data = bytearray(tampered.read_bytes())
    data[len(data) // 2] ^= 0x01
    tampered.write_bytes(bytes(data))
    failed = _manage("verify_archive", database_url=empty_database, artefact_dir=store)
    assert failed.returncode != 0
    problems = [line for line in failed.stdout.splitlines() if relative_path in line]
    assert len(problems) == 2, failed.stdout  # the artefact and the submission's PDF
    assert _summary(failed.stdout) == (artefact_count - 1, artefact_count, 0, submission_count,
                                       submission_count, submission_count, 2)

    # a database that is not empty is refused, and nothing is changed
    again = _script("restore.sh", backup, database_url=empty_database, artefact_dir=store)
    assert again.returncode != 0 and "空ではありません" in again.stderr, again.stdout + again.stderr
    assert tampered.read_bytes() == bytes(data)
    # with --force the database and the store are replaced and everything verifies again
    forced = _script("restore.sh", "--force", backup, database_url=empty_database, artefact_dir=store)
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert _summary(forced.stdout)[-1] == 0
    assert _submission_hashes(empty_database) == _submission_hashes(source_url)


def test_restore_refuses_a_backup_whose_checksums_do_not_match(submitted, empty_database, tmp_path):
    backup = tmp_path / "backup"
    made = _script("backup.sh", backup, database_url=_database_url(), artefact_dir=settings.ARTEFACT_DIR)
    assert made.returncode == 0, made.stdout + made.stderr
    with open(backup / "database.dump", "ab") as dump:
        dump.write(b"\0")
    refused = _script("restore.sh", backup, database_url=empty_database, artefact_dir=tmp_path / "store")
    assert refused.returncode != 0 and "SHA256SUMS が一致しません" in refused.stderr, refused.stdout + refused.stderr
    with psycopg.connect(empty_database) as db:
        assert db.execute("select count(*) from pg_tables where schemaname = 'public'").fetchone() == (0,)


def test_backup_fails_when_a_stored_file_was_altered(submitted, tmp_path):
    pdf = Submission.objects.get().pdf
    stored = Path(settings.ARTEFACT_DIR) / pdf.relative_path
    stored.write_bytes(stored.read_bytes() + b"\n")
    backup = tmp_path / "backup"
    made = _script("backup.sh", backup, database_url=_database_url(), artefact_dir=settings.ARTEFACT_DIR)
    assert made.returncode != 0
    assert any(pdf.relative_path in line and "一致しません" in line for line in made.stdout.splitlines()), made.stdout
    assert not (backup / "SHA256SUMS").exists()  # an incomplete backup is not marked complete
    assert not (backup / "artefacts" / pdf.relative_path).exists()


# ---- the commands, in process ----------------------------------------------------------------------------------

def test_verify_archive_names_a_missing_file_and_counts(submitted, capsys):
    call_command("verify_archive")
    total = Artefact.objects.count()
    assert _summary(capsys.readouterr().out) == (total, total, 1, 1, 1, 1, 0)
    pdf = Submission.objects.get().pdf
    (Path(settings.ARTEFACT_DIR) / pdf.relative_path).unlink()
    with pytest.raises(CommandError):
        call_command("verify_archive")
    out = capsys.readouterr().out
    assert f"成果物 #{pdf.pk} {pdf.relative_path}：保存ファイルが見つかりません。" in out
    assert _summary(out) == (total - 1, total, 0, 1, 1, 1, 2)


def test_restore_artefacts_checks_each_file_against_the_manifest(submitted, tmp_path, settings, capsys):
    backup = tmp_path / "copy"
    call_command("backup_artefacts", "--out", str(backup))
    entries = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))["artefacts"]
    changed = backup / entries[0]["relative_path"]
    changed.write_bytes(changed.read_bytes()[:-1] + b"?")
    settings.ARTEFACT_DIR = tmp_path / "new-store"
    with pytest.raises(CommandError):
        call_command("restore_artefacts", "--from", str(backup))
    out = capsys.readouterr().out
    assert f"{entries[0]['relative_path']}：バックアップのファイルがmanifestと一致しません" in out
    assert not (settings.ARTEFACT_DIR / entries[0]["relative_path"]).exists()
    assert all((settings.ARTEFACT_DIR / e["relative_path"]).exists() for e in entries[1:])


def test_restore_artefacts_refuses_a_path_outside_its_folder(tmp_path, settings, capsys):
    folder = tmp_path / "copy"
    folder.mkdir()
    (tmp_path / "outside.pdf").write_bytes(b"x")
    (folder / "manifest.json").write_text(json.dumps({"format": "zoneeval-artefacts/1", "problems": [], "artefacts": [
        {"relative_path": "../outside.pdf", "size": 1,
         "sha256": "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"}]}), encoding="utf-8")
    settings.ARTEFACT_DIR = tmp_path / "store"
    with pytest.raises(CommandError):
        call_command("restore_artefacts", "--from", str(folder))
    assert "安全でないパスです" in capsys.readouterr().out
    assert not (tmp_path / "store").exists() or not any((tmp_path / "store").rglob("*"))


def test_the_commands_work_through_an_s3_store(submitted, tmp_path, settings, monkeypatch, capsys):
    """The same commands with the artefact store in an S3 bucket (moto's in-process S3): only the storage API."""
    from moto import mock_aws

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    local = Path(settings.ARTEFACT_DIR)
    with mock_aws():
        import boto3

        for bucket in ("zoneeval-one", "zoneeval-two"):
            boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=bucket)

        def use_bucket(bucket):
            settings.STORAGES = {**settings.STORAGES, "artefacts": {
                "BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {"bucket_name": bucket, "location": "a"}}}

        use_bucket("zoneeval-one")  # the first store: the local files put into a bucket
        call_command("restore_artefacts", "--from", str(_local_copy(local, tmp_path / "from-local")))
        call_command("backup_artefacts", "--out", str(tmp_path / "from-s3"))
        use_bucket("zoneeval-two")  # an empty bucket
        with pytest.raises(CommandError):
            call_command("verify_archive")
        call_command("restore_artefacts", "--from", str(tmp_path / "from-s3"))
        capsys.readouterr()
        call_command("verify_archive")
        total = Artefact.objects.count()
        assert _summary(capsys.readouterr().out) == (total, total, 1, 1, 1, 1, 0)


def _local_copy(folder: Path, out: Path) -> Path:
    """A backup_artefacts folder of the local store ``folder`` (made by the command itself)."""
    from django.test import override_settings

    with override_settings(STORAGES={**settings.STORAGES, "artefacts": {
            "BACKEND": "zoneeval.assembly.storage.ArtefactFileSystemStorage"}}, ARTEFACT_DIR=folder):
        call_command("backup_artefacts", "--out", str(out))
    return out
