"""Per-authority groups that object permissions are granted to, kept in step with memberships.

- ``authority:<slug>:editors`` — drafters, approvers and coordinators of the authority: change and delete its items;
- ``authority:<slug>:readers`` — every member of the authority: read the editions it co-authors;
- ``zoneeval:viewers`` — outside readers (viewer role without an authority): read every edition.
"""
from django.contrib.auth.models import Group
from django.db import transaction

from .models import EDITING_ROLES, Authority, Membership

VIEWERS = "zoneeval:viewers"


def editors_group(authority: Authority) -> Group:
    return Group.objects.get_or_create(name=f"authority:{authority.slug}:editors")[0]


def readers_group(authority: Authority) -> Group:
    return Group.objects.get_or_create(name=f"authority:{authority.slug}:readers")[0]


def viewers_group() -> Group:
    return Group.objects.get_or_create(name=VIEWERS)[0]


@transaction.atomic
def sync_user_groups(user) -> None:
    """Put the user in exactly the groups their memberships imply (other groups are left alone)."""
    wanted = set()
    for membership in user.memberships.select_related("authority"):
        if membership.role == Membership.Role.VIEWER:
            wanted.add(viewers_group())
            if membership.authority:
                wanted.add(readers_group(membership.authority))
            continue
        wanted.add(readers_group(membership.authority))
        if membership.role in EDITING_ROLES:
            wanted.add(editors_group(membership.authority))
    managed = user.groups.filter(name__startswith="authority:") | user.groups.filter(name=VIEWERS)
    for group in managed:
        if group not in wanted:
            user.groups.remove(group)
    user.groups.add(*wanted)
