"""Writes of authorities and memberships."""
from django.contrib.auth import get_user_model
from django.db import transaction

from .acting import acting_as
from .models import Authority, Membership
from .rules import Rules, require

DEMO_PASSWORD = "zoneeval-demo"


@transaction.atomic
def ensure_user(username: str, password: str, *, authority: Authority | None, role: str, email: str = ""):
    """Create or reset a user with exactly one membership. Idempotent."""
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(username=username, defaults={"email": email})
    user.set_password(password)
    user.is_active = True
    user.save()
    user.memberships.all().delete()
    Membership.objects.create(user=user, authority=authority, role=role)
    return user


def create_demo_users(authorities: list[Authority], coordinator: Authority, password: str = DEMO_PASSWORD):
    """A drafter and an approver for each co-author, a coordinator of the coordinating authority, a viewer.

    Usernames are ``<authority-slug>-drafter`` / ``-approver``, ``coordinator`` and ``viewer``. Only the missing
    ones are made: a user that exists keeps its password and its roles (whatever was granted or revoked since), so
    that running the demo set-up again changes nothing. Returns [(user, created)]."""
    wanted = [(f"{authority.slug}-{role}", authority, role)
              for authority in authorities for role in (Membership.Role.DRAFTER, Membership.Role.APPROVER)]
    wanted += [("coordinator", coordinator, Membership.Role.COORDINATOR), ("viewer", None, Membership.Role.VIEWER)]
    existing = {u.username: u for u in get_user_model().objects.filter(username__in=[w[0] for w in wanted])}
    users = []
    for username, authority, role in wanted:
        if username in existing:
            users.append((existing[username], False))
        else:
            users.append((ensure_user(username, password, authority=authority, role=role,
                                      email=f"{username}@example.invalid"), True))
    return users


@transaction.atomic
def grant_role(actor, user, authority: Authority, role: str) -> Membership:
    """Give ``user`` a role in ``authority``. Only the authority's own coordinators (and superusers) may, never to
    themselves. Groups and object permissions follow (signals); the audit log records it (workflow signals)."""
    require(Rules(actor).grant_role(authority.pk, user, role))
    with acting_as(actor):
        membership, _ = Membership.objects.get_or_create(user=user, authority=authority, role=role)
    return membership


@transaction.atomic
def revoke_role(actor, membership: Membership) -> None:
    require(Rules(actor).revoke_role(membership))
    with acting_as(actor):
        membership.delete()
