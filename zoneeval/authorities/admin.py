"""Admin for authorities and memberships. Membership changes ask the same rules as the members page
(zoneeval/authorities/rules.py): only an authority's coordinators (and superusers) manage its members, nobody grants
a role to themselves, and every grant and removal is in the audit log."""
from django.contrib import admin
from django.core.exceptions import PermissionDenied

from .acting import acting_as
from .models import Authority, Membership
from .rules import Rules


def _check(decision):
    if not decision:
        raise PermissionDenied(decision.reason)


class MembershipRulesMixin:
    def _may_manage(self, request, obj=None):
        rules = Rules(request.user)
        if obj is None:
            return rules.is_superuser or any(rules.coordinates(a) for a in rules.roles if a)
        authority_id = obj.authority_id if isinstance(obj, Membership) else obj.pk
        return bool(rules.manage_members(authority_id))


class MembershipInline(MembershipRulesMixin, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]

    def has_add_permission(self, request, obj=None):
        return self._may_manage(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may_manage(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_manage(request, obj)


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind"]
    search_fields = ["name", "slug"]
    inlines = [MembershipInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        rules = Rules(request.user)
        with acting_as(request.user):
            for deleted in formset.deleted_forms:
                if deleted.instance.pk:
                    _check(rules.revoke_role(deleted.instance))
            for inline_form in formset.forms:
                if inline_form.has_changed() and inline_form not in formset.deleted_forms:
                    m = inline_form.instance
                    _check(rules.grant_role(form.instance.pk, m.user, m.role))
            return super().save_formset(request, form, formset, change)


@admin.register(Membership)
class MembershipAdmin(MembershipRulesMixin, admin.ModelAdmin):
    list_display = ["user", "authority", "role"]
    list_filter = ["role", "authority"]
    autocomplete_fields = ["user", "authority"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        rules = Rules(request.user)
        if rules.is_superuser:
            return qs
        return qs.filter(authority_id__in=[a for a in rules.roles if a and rules.coordinates(a)])

    def has_view_permission(self, request, obj=None):
        return self._may_manage(request, obj)

    def has_add_permission(self, request):
        return self._may_manage(request)

    def has_change_permission(self, request, obj=None):
        return self._may_manage(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_manage(request, obj)

    def has_module_permission(self, request):
        return self._may_manage(request)

    def save_model(self, request, obj, form, change):
        _check(Rules(request.user).grant_role(obj.authority_id, obj.user, obj.role))
        with acting_as(request.user):
            super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        _check(Rules(request.user).revoke_role(obj))
        with acting_as(request.user):
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        rules = Rules(request.user)
        with acting_as(request.user):
            for obj in queryset:
                _check(rules.revoke_role(obj))
                obj.delete()  # one by one: groups follow and the audit log records each removal
