"""What every editable item of a report shares: its owning authority, its place, its version."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..content import EditionContentManager


class OwnedItem(models.Model):
    """An editable piece of an edition. ``owner`` is the co-author whose staff draft it; ``version`` is bumped on
    every save through the services, so a form loaded from an older version can be detected (optimistic locking).
    Each concrete item declares ``EDITION_PATH`` and ``OWNER_FIELD`` (see reports/content.py)."""

    owner = models.ForeignKey(
        "authorities.Authority", on_delete=models.PROTECT, related_name="+", verbose_name=_("担当自治体")
    )
    order = models.PositiveIntegerField(_("順序"), default=0)
    version = models.PositiveIntegerField(_("版"), default=1)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    objects = EditionContentManager()

    class Meta:
        abstract = True
        ordering = ["order", "pk"]
