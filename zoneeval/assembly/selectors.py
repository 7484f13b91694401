"""Reads of assembly runs."""
from .models import AssemblyRun


def latest_run(edition) -> AssemblyRun | None:
    return AssemblyRun.objects.filter(edition=edition).select_related("artefact", "snapshot").first()
