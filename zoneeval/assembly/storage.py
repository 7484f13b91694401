"""The artefact store: rendered PDFs (and anything else an assembly writes) go through Django's storage API, so that
web and worker processes on different hosts share them without a common disk.

``settings.STORAGES["artefacts"]`` chooses the backend: by default ``ArtefactFileSystemStorage`` (a local folder,
``ARTEFACT_DIR``); an S3-compatible object store (django-storages) when ``ARTEFACT_S3_BUCKET`` is set (see settings
and README "Production"). Artefacts are named by content hash, so a name is written once and never changes.

On a local folder, files are written atomically: a file is either complete at its final name or absent. On Linux the bytes go to an unnamed O_TMPFILE in the target folder, which is linked under its final name only once
fully written and synced; a process killed before that leaves nothing behind. Elsewhere a named temporary file is
renamed into place, and stale temporaries are removed by the next write."""
from __future__ import annotations

import errno
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages

STALE_SECONDS = 3600


def artefact_relative_path(content_hash: str, kind: str) -> str:
    return f"{content_hash[:2]}/{content_hash}.{kind}"


def artefact_storage() -> Storage:
    """The configured artefact store (settings.STORAGES["artefacts"])."""
    return storages["artefacts"]


def save_artefact(relative_path: str, data: bytes) -> str:
    """Store ``data`` under ``relative_path`` (complete or not at all) and return the stored name. A name is
    content-addressed: if it is already stored with the same size, it is not written again."""
    store = artefact_storage()
    if store.exists(relative_path) and store.size(relative_path) == len(data):
        return relative_path
    return store.save(relative_path, ContentFile(data))


class ArtefactFileSystemStorage(FileSystemStorage):
    """A local folder (settings.ARTEFACT_DIR, read at each use so that tests and commands may point it elsewhere),
    written atomically and overwriting a name (names are content hashes: the same name is the same content)."""

    def __init__(self, location=None, **kwargs):
        super().__init__(location=location, allow_overwrite=True, **kwargs)

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.ARTEFACT_DIR)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def _save(self, name, content):
        content.seek(0)
        write_atomically(name, content.read(), root=Path(self.location))
        return str(name).replace("\\", "/")


def write_atomically(relative_path: str, data: bytes, root: Path | None = None) -> Path:
    final = Path(root if root is not None else settings.ARTEFACT_DIR) / relative_path
    final.parent.mkdir(parents=True, exist_ok=True)
    if hasattr(os, "O_TMPFILE"):
        try:
            return _write_unnamed(final, data)
        except OSError as exc:
            # EOPNOTSUPP / EINVAL: no O_TMPFILE on this file system; EXDEV / EPERM / ENOENT: /proc linking refused
            # (some sandboxes). Fall back to a named temporary renamed into place.
            if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL, errno.EXDEV, errno.EPERM, errno.ENOENT):
                raise
    return _write_renamed(final, data)


def _write_unnamed(final: Path, data: bytes) -> Path:
    fd = os.open(final.parent, os.O_TMPFILE | os.O_WRONLY, 0o644)
    try:
        _write_all(fd, data)
        os.fsync(fd)
        staging = final.with_name(f".{final.name}.{os.getpid()}.{time.monotonic_ns()}")
        os.link(f"/proc/self/fd/{fd}", staging, follow_symlinks=True)
    finally:
        os.close(fd)
    os.replace(staging, final)  # the complete file appears under its name in one step
    _fsync_dir(final.parent)
    return final


def _write_renamed(final: Path, data: bytes) -> Path:
    _remove_stale_temporaries(final.parent)
    temporary = final.with_name(f".{final.name}.{os.getpid()}.partial")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, final)
    _fsync_dir(final.parent)
    return final


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale_temporaries(folder: Path) -> None:
    """Remove temporaries left by writers that died (their process is gone) or that are older than an hour."""
    now = time.time()
    for candidate in folder.glob(".*.partial"):
        try:
            pid = int(candidate.name.rsplit(".", 2)[-2])
        except ValueError:
            pid = 0
        try:
            if not _pid_alive(pid) or now - candidate.stat().st_mtime > STALE_SECONDS:
                candidate.unlink()
        except FileNotFoundError:
            pass
