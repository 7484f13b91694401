"""E-mail to the users of the authority that must act (sent after the transaction commits)."""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail

from ..authorities.models import EDITING_ROLES, Membership


def recipients(authority_ids, roles) -> list[str]:
    users = get_user_model().objects.filter(
        memberships__authority_id__in=list(authority_ids), memberships__role__in=list(roles), is_active=True
    ).exclude(email="").distinct()
    return sorted({u.email for u in users})


def send(subject: str, body: str, authority_ids, roles) -> int:
    to = recipients(authority_ids, roles)
    if not to:
        return 0
    sender = getattr(settings, "DEFAULT_FROM_EMAIL", "zoneeval@localhost")
    return send_mass_mail([(f"[zoneeval] {subject}", body, sender, [address]) for address in to], fail_silently=False)


EDITORS = tuple(EDITING_ROLES)
APPROVERS = (Membership.Role.APPROVER,)
COORDINATORS = (Membership.Role.COORDINATOR,)
