"""Review and approval of parts, joint sign-off and submission of editions, comments, and the audit log."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..reports.content import EditionContentManager


class AuditLogImmutable(Exception):
    pass


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogImmutable("the audit log is append-only")

    def bulk_update(self, objs, fields, *args, **kwargs):
        raise AuditLogImmutable("the audit log is append-only")

    def delete(self):
        raise AuditLogImmutable("the audit log is append-only")


class AuditEntry(models.Model):
    """One edit or transition: who, when, what, before/after and the comment. Append-only: the model and its
    managers (the base manager too) refuse updates and deletes, the admin shows it read-only, and on PostgreSQL and
    SQLite a trigger refuses UPDATE and DELETE (workflow/frozen_sql.py). Entries are appended after submission too,
    so it declares no EDITION_PATH."""

    edition = models.ForeignKey("reports.Edition", on_delete=models.PROTECT, related_name="audit_entries",
                                null=True, blank=True)
    authority = models.ForeignKey("authorities.Authority", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", help_text="for changes of an authority's members")
    part = models.ForeignKey("drafting.Part", on_delete=models.PROTECT, null=True, blank=True, related_name="audit")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    action = models.CharField(max_length=40)
    subject = models.CharField(max_length=500, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        base_manager_name = "objects"
        verbose_name = _("監査ログ")
        verbose_name_plural = _("監査ログ")

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AuditLogImmutable("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogImmutable("the audit log is append-only")


class Approval(models.Model):
    """An approval of a part, tied to the part version (revision) approved; voided by any later edit."""

    EDITION_PATH = "part__edition"
    objects = EditionContentManager()

    part = models.ForeignKey("drafting.Part", on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    part_version = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]


class Comment(models.Model):
    EDITION_PATH = "part__edition"
    objects = EditionContentManager()

    part = models.ForeignKey("drafting.Part", on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    resolved = models.BooleanField(default=False)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]


class SignOff(models.Model):
    """A co-author's sign-off of the assembled version, bound to its content hash; voided by any change."""

    EDITION_PATH = "edition"
    objects = EditionContentManager()

    edition = models.ForeignKey("reports.Edition", on_delete=models.CASCADE, related_name="signoffs")
    authority = models.ForeignKey("authorities.Authority", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    content_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]


class Submission(models.Model):
    """The frozen, archived result of submitting an edition: its final PDF, its JSON export and their SHA-256.
    Created in the transaction that submits, before the edition's ``submitted_at`` is set (then frozen with it)."""

    EDITION_PATH = "edition"
    objects = EditionContentManager()

    edition = models.OneToOneField("reports.Edition", on_delete=models.PROTECT, related_name="submission")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    content_hash = models.CharField(max_length=64)
    pdf = models.ForeignKey("assembly.Artefact", on_delete=models.PROTECT, related_name="+")
    pdf_sha256 = models.CharField(max_length=64)
    export_json = models.TextField()
    export_sha256 = models.CharField(max_length=64)
