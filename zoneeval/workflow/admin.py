from django.contrib import admin

from .models import AuditEntry, SignOff, Submission


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "edition", "actor", "action", "subject"]
    list_filter = ["action", "edition"]


@admin.register(SignOff)
class SignOffAdmin(ReadOnlyAdmin):
    list_display = ["edition", "authority", "user", "content_hash", "created_at", "voided_at"]


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ["edition", "submitted_by", "submitted_at", "pdf_sha256", "export_sha256"]
    exclude = ["export_json"]
