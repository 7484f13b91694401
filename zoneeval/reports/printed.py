"""What an edition prints about its zone and its co-authors belongs to the edition.

The zone's name, kind and dates are copied onto the edition, and each co-author's name and kind onto its CoAuthor row,
when the edition is made; export, page and PDF read them from there. While an edition is a draft its copies follow
the zone and the authorities (a rename in admin, or the import of another year of the zone, reaches the drafts);
a submitted edition keeps what it was submitted with. Slugs are identifiers: once a submitted edition prints one,
it does not change (archive/freeze.py, and the database triggers)."""
from django.db.models.signals import post_save

ZONE_FIELDS = {"zone_name": "name", "zone_kind": "kind", "zone_designation_date": "designation_date",
               "zone_first_approval_date": "first_approval_date"}
AUTHORITY_FIELDS = {"name": "name", "kind": "kind"}


def copy_zone(edition, zone) -> None:
    for mine, theirs in ZONE_FIELDS.items():
        setattr(edition, mine, getattr(zone, theirs))


def _zone_saved(sender, instance, raw=False, **kwargs):
    from .models import Edition

    if not raw:
        Edition.objects.filter(zone=instance, submitted_at__isnull=True).update(
            **{mine: getattr(instance, theirs) for mine, theirs in ZONE_FIELDS.items()})


def _authority_saved(sender, instance, raw=False, **kwargs):
    from .models import CoAuthor

    if not raw:
        CoAuthor.objects.filter(authority=instance, edition__submitted_at__isnull=True).update(
            **{mine: getattr(instance, theirs) for mine, theirs in AUTHORITY_FIELDS.items()})


def connect_signals():
    from ..authorities.models import Authority
    from .models import Zone

    post_save.connect(_zone_saved, sender=Zone, dispatch_uid="printed-zone-follows")
    post_save.connect(_authority_saved, sender=Authority, dispatch_uid="printed-authority-follows")
