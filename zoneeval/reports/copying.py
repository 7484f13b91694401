"""A new edition made from an existing one through the interchange format: export the snapshot, transform it,
import it. The source is only read (its snapshot), so a submitted edition stays exactly as submitted; the copy goes
through the same checks as any imported file (schema, model limits, sanitiser) and comes out as a fresh draft —
every part 下書き, permissions granted, no sign-off.

Used by next year's edition (rollover.py); a correction of the same year (訂正版) is the same idea."""
from __future__ import annotations

import copy
from collections.abc import Callable

from .interchange.export import edition_snapshot
from .interchange.importer import import_document
from .models import Edition


def _current_zone_and_authorities(document: dict, source: Edition) -> None:
    """A new edition is a draft: what it prints about its zone and co-authors follows them as they are today (the
    source's printed copy may be older; reports/printed.py)."""
    zone = source.zone
    document["zone"].update(name=zone.name, kind=zone.kind, designation_date=zone.designation_date.isoformat(),
                            first_approval_date=zone.first_approval_date.isoformat())
    current = {c.authority.slug: c.authority for c in source.coauthors.select_related("authority")}
    for entry in document["authorities"]:
        authority = current[entry["slug"]]
        entry.update(name=authority.name, kind=authority.kind)


def copy_edition(source: Edition, fiscal_year: int, transform: Callable[[dict], dict] | None = None) -> Edition:
    """A new edition of ``source``'s zone for ``fiscal_year``: ``source``'s snapshot (without derived figures),
    re-targeted to that year, passed through ``transform`` (a function of the document that returns the document to
    import), imported. Raises ``ImportRefused`` (nothing written) when the result is refused."""
    document = copy.deepcopy(edition_snapshot(source, with_derived=False))
    document["edition"]["fiscal_year"] = fiscal_year
    _current_zone_and_authorities(document, source)
    if transform is not None:
        document = transform(document)
    return import_document(document)
