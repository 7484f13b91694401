"""Reads of assembly runs."""
from .models import AssemblyRun


def latest_run(edition) -> AssemblyRun | None:
    return AssemblyRun.objects.filter(edition=edition).select_related("artefact", "snapshot").first()


def current_pdf(edition):
    """The draft PDF of the edition as it is now (its content hash, this renderer), if one is stored; else None."""
    from ..reports.interchange.export import edition_snapshot, to_json
    from .models import Artefact
    from .renderer import fingerprint
    from .services import content_hash

    digest = content_hash(to_json(edition_snapshot(edition)))
    artefact = Artefact.objects.filter(content_hash=digest, kind=Artefact.Kind.PDF, renderer=fingerprint()).first()
    return artefact if artefact is not None and artefact.stored() else None
