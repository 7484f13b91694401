from django.contrib import admin

from .models import CoAuthor, Edition, Zone


class CoAuthorInline(admin.TabularInline):
    model = CoAuthor
    extra = 0


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "designation_date"]
    search_fields = ["name", "slug"]


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["zone", "fiscal_year", "coordinator", "plan_first_fiscal_year", "plan_last_fiscal_year"]
    list_filter = ["zone"]
    inlines = [CoAuthorInline]
