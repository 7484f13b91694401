from django.contrib import admin

from .models import Authority, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind"]
    search_fields = ["name", "slug"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "authority", "role"]
    list_filter = ["role", "authority"]
    autocomplete_fields = ["user", "authority"]
