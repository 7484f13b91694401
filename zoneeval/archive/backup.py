"""Backup and restore of the artefact store, and the check of every archived file (README "Backup and restore").

The database is backed up by ``pg_dump`` (scripts/backup.sh); the files it refers to (``Artefact.relative_path``)
live in the artefact store (assembly/storage.py), a local folder or an S3 bucket. Everything here goes through
Django's storage API only, so the same commands work for both.

- ``backup_artefacts``: every Artefact's stored file is copied into a folder, ``<folder>/<relative_path>``, with a
  ``manifest.json`` (relative_path, size, sha256). A stored file whose SHA-256 or size differs from the database's
  record, or that is missing, is a problem: it is not copied and the backup does not succeed.
- ``restore_artefacts``: the files of such a folder are put into the configured store, each checked against the
  manifest before it is written and read back after.
- ``verify_archive``: every Artefact is stored with its recorded SHA-256; every Submission's PDF has its
  ``pdf_sha256`` and its export its ``export_sha256``. Reads only.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.core.files import File

from ..assembly.models import Artefact
from ..assembly.storage import artefact_storage
from ..workflow.models import Submission
from .services import FileCheck

MANIFEST = "manifest.json"
MANIFEST_FORMAT = "zoneeval-artefacts/1"
CHUNK = 1024 * 1024


class UnsafePath(ValueError):
    pass


def safe_relative_path(name: str) -> str:
    """``name`` if it is a relative path inside its folder (no absolute path, no ``..``, no empty part)."""
    path = PurePosixPath(name)
    if not name or "\\" in name or path.is_absolute() or any(part in ("", ".", "..") for part in name.split("/")):
        raise UnsafePath(f"安全でないパスです：{name!r}")
    return str(path)


def stored_digest(name: str) -> tuple[str, int] | None:
    """SHA-256 and size of the stored file ``name`` (read in chunks), or None when it is not stored."""
    store = artefact_storage()
    try:
        if not store.exists(name):
            return None
        with store.open(name, "rb") as handle:
            return _digest_stream(handle)
    except (FileNotFoundError, OSError):
        return None


def _digest_stream(handle, copy_to=None) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if copy_to is not None:
            copy_to.write(chunk)
    return digest.hexdigest(), size


def _file_digest(path: Path) -> tuple[str, int]:
    with open(path, "rb") as handle:
        return _digest_stream(handle)


@dataclass
class Outcome:
    """What a command did: counts by kind and one line per problem."""

    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def count(self, key: str, by: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + by

    @property
    def ok(self) -> bool:
        return not self.problems


def _mismatch(label: str, recorded: str, actual: str, recorded_size: int | None = None,
              actual_size: int | None = None) -> str:
    sizes = "" if recorded_size is None or recorded_size == actual_size else \
        f"、サイズ 記録 {recorded_size:,} バイト／実際 {actual_size:,} バイト"
    return f"{label}：SHA-256が記録と一致しません（記録 {recorded}／実際 {actual}{sizes}）。"


# ---- backup ---------------------------------------------------------------------------------------------------

def backup_artefacts(out: Path) -> Outcome:
    """Copy every Artefact's stored file into ``out`` and write ``out/manifest.json``. Files already in ``out``
    under the same name are replaced. Only files whose SHA-256 and size match the database are kept."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    store = artefact_storage()
    outcome = Outcome()
    entries = []
    for artefact in Artefact.objects.order_by("pk").iterator():
        outcome.count("artefacts")
        label = f"成果物 #{artefact.pk} {artefact.relative_path}"
        try:
            name = safe_relative_path(artefact.relative_path)
        except UnsafePath as unsafe:
            outcome.problems.append(f"{label}：{unsafe}")
            continue
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        try:
            with store.open(name, "rb") as source, open(partial, "wb") as copy:
                actual, size = _digest_stream(source, copy_to=copy)
                copy.flush()
                os.fsync(copy.fileno())
        except (FileNotFoundError, OSError):
            partial.unlink(missing_ok=True)
            outcome.problems.append(f"{label}：保存ファイルが見つかりません。")
            continue
        if actual != artefact.sha256 or size != artefact.size:
            partial.unlink(missing_ok=True)
            outcome.problems.append(_mismatch(label, artefact.sha256, actual, artefact.size, size))
            continue
        os.replace(partial, target)
        outcome.count("copied")
        outcome.count("bytes", size)
        entries.append({"relative_path": name, "size": size, "sha256": actual, "id": artefact.pk,
                        "kind": artefact.kind})
    manifest = {"format": MANIFEST_FORMAT, "artefacts": entries, "problems": outcome.problems}
    temporary = out / f".{MANIFEST}.partial"
    temporary.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, out / MANIFEST)
    return outcome


# ---- restore --------------------------------------------------------------------------------------------------

class ManifestRefused(Exception):
    pass


def read_manifest(folder: Path) -> list[dict]:
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise ManifestRefused(f"{path} がありません。backup_artefacts で作ったフォルダを指定してください。")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as broken:
        raise ManifestRefused(f"{path} を読めません：{broken}") from broken
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise ManifestRefused(f"{path} の形式が違います（{MANIFEST_FORMAT} ではありません）。")
    if manifest.get("problems"):
        raise ManifestRefused(f"{path} は問題のあったバックアップのものです（{len(manifest['problems'])} 件）。")
    entries = manifest.get("artefacts")
    if not isinstance(entries, list) or not all(
            isinstance(e, dict) and isinstance(e.get("relative_path"), str) and isinstance(e.get("size"), int)
            and isinstance(e.get("sha256"), str) for e in entries):
        raise ManifestRefused(f"{path} の artefacts が正しくありません。")
    return entries


def restore_artefacts(folder: Path, overwrite: bool = False) -> Outcome:
    """Put every file listed in ``folder/manifest.json`` into the configured artefact store. Each file must match
    the manifest (size and SHA-256) before it is written, and is read back from the store after. A name already
    stored with the same content is left as it is; with other content it is a problem unless ``overwrite``."""
    folder = Path(folder)
    store = artefact_storage()
    outcome = Outcome()
    for entry in read_manifest(folder):
        outcome.count("listed")
        label = entry["relative_path"]
        try:
            name = safe_relative_path(entry["relative_path"])
        except UnsafePath as unsafe:
            outcome.problems.append(str(unsafe))
            continue
        source = folder / name
        if not source.is_file():
            outcome.problems.append(f"{label}：バックアップにファイルがありません。")
            continue
        actual, size = _file_digest(source)
        if actual != entry["sha256"] or size != entry["size"]:
            outcome.problems.append(
                f"{label}：バックアップのファイルがmanifestと一致しません（manifest {entry['sha256']}／実際 {actual}）。")
            continue
        present = stored_digest(name)
        if present is not None and present == (actual, size):
            outcome.count("already")
            continue
        if present is not None:
            if not overwrite:
                outcome.problems.append(f"{label}：保存先に内容の違う同名のファイルがあります（--overwrite で置き換え）。")
                continue
            store.delete(name)
            outcome.count("replaced")
        with open(source, "rb") as handle:
            saved = store.save(name, File(handle, name=name))
        if saved != name:
            outcome.problems.append(f"{label}：保存先が別の名前 {saved} で保存しました。")
            continue
        if stored_digest(name) != (actual, size):
            outcome.problems.append(f"{label}：保存後に読み返したファイルがmanifestと一致しません。")
            continue
        outcome.count("restored")
        outcome.count("bytes", size)
    return outcome


# ---- verification ---------------------------------------------------------------------------------------------

def verify_archive() -> Outcome:
    """Every Artefact stored with its recorded SHA-256 and size; every Submission's PDF with its ``pdf_sha256`` and
    its export with its ``export_sha256``. Reads only."""
    outcome = Outcome()
    actual: dict[int, str | None] = {}
    for artefact in Artefact.objects.order_by("pk").iterator():
        outcome.count("artefacts")
        label = f"成果物 #{artefact.pk} {artefact.relative_path}"
        digest = stored_digest(artefact.relative_path)
        actual[artefact.pk] = digest[0] if digest else None
        if digest is None:
            outcome.problems.append(f"{label}：保存ファイルが見つかりません。")
        elif digest != (artefact.sha256, artefact.size):
            outcome.problems.append(_mismatch(label, artefact.sha256, digest[0], artefact.size, digest[1]))
        else:
            outcome.count("artefacts_ok")
    submissions = Submission.objects.select_related("edition__zone", "pdf").order_by("pk")
    for submission in submissions.iterator():
        outcome.count("submissions")
        pdf_hash = actual.get(submission.pdf_id) if submission.pdf_id in actual else \
            (stored_digest(submission.pdf.relative_path) or (None,))[0]
        export_hash = hashlib.sha256(submission.export_json.encode("utf-8")).hexdigest()
        for check, key in ((FileCheck("pdf", submission.pdf_sha256, pdf_hash), "pdf_ok"),
                           (FileCheck("json", submission.export_sha256, export_hash), "json_ok")):
            if check.matches:
                outcome.count(key)
            else:
                where = f" {submission.pdf.relative_path}" if check.kind == "pdf" else ""
                outcome.problems.append(f"提出 #{submission.pk} {submission.edition}{where}：{check.text}")
    return outcome
