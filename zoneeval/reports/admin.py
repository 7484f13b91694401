from django.contrib import admin

from .models import CoAuthor, Edition, NationalEvaluation, Zone


class CoAuthorInline(admin.TabularInline):
    model = CoAuthor
    extra = 0
    readonly_fields = ["name", "kind"]  # as this edition prints them: they follow the authority until submission


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "designation_date"]
    search_fields = ["name", "slug"]


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["zone", "fiscal_year", "revision", "coordinator", "plan_first_fiscal_year",
                    "plan_last_fiscal_year", "submitted_at"]
    list_filter = ["zone"]
    inlines = [CoAuthorInline]
    # what the edition prints about its zone follows the zone until submission (reports/printed.py)
    # a correction (訂正版) is made by the archive service only (archive/services.py correct_edition)
    readonly_fields = ["submitted_at", "revision", "supersedes", "zone_name", "zone_kind", "zone_designation_date", "zone_first_approval_date"]

    # A submitted edition is frozen: the admin shows it read-only (the model signals refuse writes anyway).
    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj and obj.is_frozen)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.is_frozen)


@admin.register(NationalEvaluation)
class NationalEvaluationAdmin(admin.ModelAdmin):
    """Read-only: the coordinator records the national evaluation on the edition page (rules, validation, audit log;
    workflow/yearly.py), so that every recording is audited."""

    list_display = ["edition", "overall_score", "progress_score", "support_score", "recorded_by", "recorded_at"]
    list_filter = ["edition__zone"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
