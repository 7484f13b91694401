"""The workbook (Excel) of an edition's figures: export, and import per authority in two steps (preview → confirm).

- ``export_workbook``: the .xlsx of the edition as it is now (layout.py, xlsx.py), for one co-author (its cells
  open) or for the zone coordinator (every input cell open). Reads only.
- ``preview_upload``: reads the file against the edition now (reading.py) — refused whole on any error — and keeps
  it, keyed to the uploader, with the fingerprint of the edition's figures; returns the upload and what it changes.
- ``confirm_upload``: only by its uploader; refused when the edition's figures changed since the preview (stale);
  applies every change through the drafting services (each a revision in the history, voiding approvals like any
  edit) in one transaction — all or nothing — and forgets the file.
- ``discard_upload``; uploads older than ``WORKBOOK_UPLOAD_TTL`` are deleted whenever another is made.
"""
from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ...authorities.rules import Refused, Rules, require
from .. import services
from ..models import WorkbookUpload
from . import layout as layout_module
from . import xlsx
from .reading import Change, Reading, WorkbookRefused, read

WORKBOOK_UPLOAD_TTL = timedelta(hours=2)
STALE = ("プレビューの後に、この評価書の数値や表の形が変更されました。取り込みは行っていません。"
         "もう一度ワークブックをアップロードして、変更内容を確認してください。")


class StalePreview(Exception):
    pass


def export_workbook(user, edition, authority=None) -> bytes:
    """The .xlsx bytes; ``user`` None is the command line (an operator's export of the whole workbook)."""
    if user is not None:
        require(Rules(user).download_workbook(edition, authority.pk if authority else None))
    return xlsx.write(layout_module.build(edition), authority.pk if authority else None)


def _may_edit(rules: Rules, edition, authority):
    def check(cell) -> bool:
        kind = cell.key[0]
        if kind == "actual":
            return bool(rules.enter_actual(cell.obj, authority.pk, edition))
        return bool(rules.edit_item(cell.obj, edition))
    return check


def read_upload(user, edition, authority, data: bytes) -> tuple[layout_module.Layout, Reading]:
    rules = Rules(user)
    require(rules.import_workbook(edition, authority.pk if authority else None))
    current = layout_module.build(edition)
    return current, read(data, current, authority, _may_edit(rules, edition, authority))


def _forget_expired() -> None:
    WorkbookUpload.objects.filter(created_at__lt=timezone.now() - WORKBOOK_UPLOAD_TTL).delete()


def preview_upload(user, edition, authority, data: bytes, file_name: str = "") -> tuple[WorkbookUpload, Reading]:
    """Raises WorkbookRefused (the file), Refused (the rules, a frozen edition)."""
    current, reading = read_upload(user, edition, authority, data)
    _forget_expired()
    WorkbookUpload.objects.filter(user=user, edition=edition).delete()  # one pending upload a user and edition
    upload = WorkbookUpload.objects.create(
        token=secrets.token_urlsafe(32), user=user, edition=edition, authority=authority, file_name=file_name[:255],
        data=data, fingerprint=current.fingerprint())
    return upload, reading


def pending_upload(user, token: str) -> WorkbookUpload | None:
    """The user's own pending upload, not expired (another user's token is no upload). Reads only."""
    return WorkbookUpload.objects.filter(
        token=token, user=user, created_at__gte=timezone.now() - WORKBOOK_UPLOAD_TTL,
    ).select_related("edition__zone", "authority").first()


def reading_of(upload: WorkbookUpload) -> Reading:
    return read_upload(upload.user, upload.edition, upload.authority, bytes(upload.data))[1]


def discard_upload(user, upload: WorkbookUpload) -> None:
    WorkbookUpload.objects.filter(pk=upload.pk, user=user).delete()


def confirm_upload(user, upload: WorkbookUpload) -> list[Change]:
    """Apply the previewed changes. Raises StalePreview, WorkbookRefused, Refused (EditionFrozen is one)."""
    if upload.user_id != user.pk:
        raise Refused("このアップロードは他の人のものです。")
    edition, authority = upload.edition, upload.authority
    current, reading = read_upload(user, edition, authority, bytes(upload.data))
    if current.fingerprint() != upload.fingerprint:
        raise StalePreview(STALE)
    try:
        with transaction.atomic():
            apply_changes(user, current, authority, reading.changes)
    except services.StaleEdit:
        raise StalePreview(STALE) from None
    upload.delete()
    return reading.changes


def apply_changes(user, current: layout_module.Layout, authority, changes: list[Change]) -> None:
    """Every change through the drafting services, grouped by item: a target's year table (its 目標値 and the
    authority's 実績値) in one save, a 別紙3 row's year grid in one save (the row's other cells as they are)."""
    by_item: dict[tuple, list[Change]] = {}
    for change in changes:
        group = "target" if change.key[0] in ("target", "actual") else change.key[0]
        by_item.setdefault((group, change.obj.pk), []).append(change)
    for (group, _pk), item_changes in by_item.items():
        item = item_changes[0].obj
        if group == "target":
            targets = {c.key[2]: c.new for c in item_changes if c.key[0] == "target"}
            actuals = {c.key[3]: c.new for c in item_changes if c.key[0] == "actual"}
            services.save_year_table(user, item, targets, actuals, authority if actuals else None, item.version)
        else:
            data = {}
            for _sheet, cell in current.inputs():
                if cell.key[0] == group and cell.key[1] == item.pk:
                    data[_grid_name(cell.key)] = cell.value
            for c in item_changes:
                data[_grid_name(c.key)] = c.new
            services.update_item(user, item, data, item.version)


def _grid_name(key: tuple) -> str:
    """The form's name of a 別紙3 cell (drafting/forms.py ItemForm: ``y{fy}_{field}``)."""
    return f"y{key[2]}_{key[3]}" if key[0] == "fiscal" else f"y{key[2]}_count"


__all__ = ["export_workbook", "preview_upload", "confirm_upload", "discard_upload", "pending_upload",
           "WorkbookRefused", "StalePreview"]
