"""Parts (what one authority drafts of one section), their revisions (history) and who has them open."""
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..reports.content import EditionContentManager
from .registry import SECTIONS


class Part(models.Model):
    """The items of one section of an edition that one authority owns: the unit of drafting and review."""

    EDITION_PATH = "edition"
    objects = EditionContentManager()

    class State(models.TextChoices):
        DRAFT = "draft", _("下書き")
        IN_REVIEW = "in_review", _("審査中")
        RETURNED = "returned", _("差戻し")
        APPROVED = "approved", _("承認済み")

    edition = models.ForeignKey("reports.Edition", on_delete=models.CASCADE, related_name="parts")
    section = models.CharField(max_length=20, choices=SECTIONS)
    authority = models.ForeignKey("authorities.Authority", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    version = models.PositiveIntegerField(default=1)
    last_editor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["edition", "section", "authority"], name="unique_part")]

    def __str__(self):
        return f"{self.get_section_display()}（{self.authority}）"


class Revision(models.Model):
    """One saved change of one item: who, when, and the item's fields before and after."""

    EDITION_PATH = "part__edition"
    objects = EditionContentManager()

    class Action(models.TextChoices):
        CREATE = "create", _("追加")
        UPDATE = "update", _("更新")
        DELETE = "delete", _("削除")

    part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="revisions")
    item_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    item_id = models.PositiveBigIntegerField()
    item_label = models.CharField(max_length=500)
    item_version = models.PositiveIntegerField()
    action = models.CharField(max_length=10, choices=Action.choices)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["item_type", "item_id", "item_version"])]


class Presence(models.Model):
    """Who has a part open (refreshed while the edit page is open). Not content of the edition (no EDITION_PATH):
    nothing of it is printed or archived, and it may change after submission, when the pages are read-only."""

    part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="presences")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["part", "user"], name="unique_presence")]


class WorkbookUpload(models.Model):
    """An uploaded workbook (Excel) waiting for its uploader to confirm the preview of its changes. Kept only until
    it is confirmed or discarded, or for ``WORKBOOK_UPLOAD_TTL`` (drafting/workbook/services.py); only its uploader
    reads it. Not content of the edition (no EDITION_PATH): it changes nothing until confirmed, through the services.
    ``fingerprint`` is the edition's figures when the preview was made: a confirm after any change is refused."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    edition = models.ForeignKey("reports.Edition", on_delete=models.CASCADE, related_name="+")
    authority = models.ForeignKey("authorities.Authority", on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=255, blank=True)
    data = models.BinaryField()
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
