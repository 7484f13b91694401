"""A new edition made from an existing one, through the interchange format: the source's snapshot (what an export
writes, without the derived figures) is imported as the new edition, so that a copy holds exactly what an export and
an import of the source would, and is checked by the same rules (schema, limits, references).

Used for a correction after submission (訂正版: the same year, superseding the source; zoneeval/archive/services.py)
and meant for next year's edition (a later fiscal year, with ``adapt`` changing the document before it is written).
The source is only read: a submitted source stays exactly as submitted."""
from __future__ import annotations

import copy
from collections.abc import Callable

from .interchange.export import edition_snapshot
from .interchange.importer import import_document
from .models import Edition


def edition_document(source: Edition) -> dict:
    """The interchange document of ``source`` (no derived figures: they are computed, never imported)."""
    return edition_snapshot(source, with_derived=False)


def _as_today(document: dict, source: Edition) -> dict:
    """The zone and the co-authors as they are named today: a new edition is a draft, and a draft follows them
    (reports/printed.py); the source prints its own copy, which may be older. (Imported as it stands, an older name
    would rename the zone back, or be refused as another authority's.)"""
    zone = source.zone
    document["zone"].update(name=zone.name, kind=zone.kind, designation_date=zone.designation_date.isoformat(),
                            first_approval_date=zone.first_approval_date.isoformat())
    current = {c.authority.slug: c.authority for c in source.coauthors.select_related("authority")}
    for entry in document["authorities"]:
        authority = current.get(entry["slug"])
        if authority is not None:
            entry.update(name=authority.name, kind=authority.kind)
    return document


def copy_edition(source: Edition, *, fiscal_year: int | None = None, supersedes: Edition | None = None,
                 adapt: Callable[[dict], dict | None] | None = None) -> Edition:
    """Write a new edition from ``source`` and return it; every part of the new edition starts in 下書き.

    - ``fiscal_year``: the new edition's year (default: the source's).
    - ``supersedes``: the current, submitted edition of that year that the new one corrects (訂正版); without it,
      the year must have no edition yet.
    - ``adapt``: called with the document (a deep copy, interchange format) before it is imported; it may change
      it in place or return a new one (e.g. next year's empty actual cells).

    Raises ``ImportRefused`` (nothing written) when the document or the year refuses it."""
    document = _as_today(copy.deepcopy(edition_document(source)), source)
    if fiscal_year is not None:
        document["edition"]["fiscal_year"] = fiscal_year
    if adapt is not None:
        document = adapt(document) or document
    return import_document(document, supersedes=supersedes)
