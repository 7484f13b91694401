"""Reads of assembly runs."""
from ..authorities.models import Membership
from .models import AssemblyRun


def latest_run(edition) -> AssemblyRun | None:
    return AssemblyRun.objects.filter(edition=edition).select_related("artefact", "snapshot").first()


def can_run_assembly(user, edition) -> bool:
    """The coordinating authority's coordinator (or a superuser) presses the button."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(
        user=user, authority_id=edition.coordinator_id, role=Membership.Role.COORDINATOR
    ).exists()
