"""Reads for the comparison page: the versions of a zone's editions that can be compared, and their snapshots.

A version is an edition's current state (``e<id>``: its interchange snapshot now; for a submitted edition, what was
submitted) or one of its assembled snapshots (``s<id>``: exactly what an assembly run validated and rendered)."""
from __future__ import annotations

import json
from dataclasses import dataclass

from ..assembly.models import AssembledSnapshot
from ..reports.era import datetime_label, fiscal_year_label
from ..reports.interchange.export import edition_snapshot
from ..reports.models import Edition


@dataclass
class Version:
    ref: str  # e<edition id> | s<snapshot id>
    edition: Edition
    label: str
    snapshot: AssembledSnapshot | None = None

    @property
    def is_current(self) -> bool:
        return self.snapshot is None

    def data(self) -> dict:
        if self.snapshot is not None:
            return json.loads(self.snapshot.payload)
        return edition_snapshot(self.edition, with_derived=False)


def _edition_label(edition: Edition) -> str:
    state = f"提出済み {datetime_label(edition.submitted_at)}" if edition.submitted_at else "現在の内容"
    return f"{fiscal_year_label(edition.fiscal_year)}（{state}）"


def versions_of_zone(zone) -> list[Version]:
    """Every comparable version of the zone's editions: newest year first; each edition, then its snapshots."""
    editions = list(Edition.objects.filter(zone=zone).select_related("zone").order_by("-fiscal_year", "-pk"))
    snapshots: dict[int, list] = {}
    for s in AssembledSnapshot.objects.filter(edition__in=editions).order_by("-created_at", "-pk").only(
            "pk", "edition_id", "content_hash", "created_at"):
        snapshots.setdefault(s.edition_id, []).append(s)
    versions = []
    for e in editions:
        versions.append(Version(f"e{e.pk}", e, _edition_label(e)))
        for s in snapshots.get(e.pk, []):
            label = (f"{fiscal_year_label(e.fiscal_year)} 取りまとめ {datetime_label(s.created_at)}"
                     f"（{s.content_hash[:8]}）")
            versions.append(Version(f"s{s.pk}", e, label, s))
    return versions


def find_version(versions: list[Version], ref: str | None) -> Version | None:
    for v in versions:
        if v.ref == ref:
            if v.snapshot is not None:  # the list reads snapshots without their payload
                v.snapshot = AssembledSnapshot.objects.get(pk=v.snapshot.pk)
            return v
    return None


def previous_submitted(edition: Edition) -> Edition | None:
    """The edition to compare with by default: the latest submitted edition of an earlier year of the same zone
    (the previous year's; of a year with corrections, the one submitted last)."""
    return (Edition.objects.filter(zone_id=edition.zone_id, fiscal_year__lt=edition.fiscal_year,
                                   submitted_at__isnull=False)
            .order_by("-fiscal_year", "-submitted_at", "-pk").first())
