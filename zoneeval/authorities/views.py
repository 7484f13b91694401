"""Sign-in and, for the coordinator, the members of an edition's co-authors."""
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ..reports.selectors import get_edition
from .forms import MembershipForm, ThrottledAuthenticationForm
from .models import Authority, Membership
from .services import add_membership, remove_membership


class ThrottledLoginView(LoginView):
    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True


def _coordinated_edition(request, zone_slug, fiscal_year):
    edition = get_edition(zone_slug, fiscal_year)
    if edition is None:
        raise Http404
    is_coordinator = request.user.is_superuser or Membership.objects.filter(
        user=request.user, authority_id=edition.coordinator_id, role=Membership.Role.COORDINATOR).exists()
    if not is_coordinator:
        raise PermissionDenied("作成主体の担当者を管理できるのは取りまとめ自治体の担当者だけです。")
    return edition


@login_required
def members(request, zone_slug, fiscal_year):
    edition = _coordinated_edition(request, zone_slug, fiscal_year)
    authorities = Authority.objects.filter(coauthorships__edition=edition).order_by("coauthorships__order")
    form = MembershipForm(request.POST or None, authorities=authorities)
    if request.method == "POST" and form.is_valid():
        add_membership(request.user, form.cleaned_data["username"], form.cleaned_data["authority"],
                       form.cleaned_data["role"])
        return redirect(request.path)
    memberships = Membership.objects.filter(authority__in=authorities).select_related("user", "authority").order_by(
        "authority__coauthorships__order", "role", "user__username")
    return render(request, "authorities/members.html", {"edition": edition, "form": form,
                                                        "memberships": memberships})


@login_required
@require_POST
def remove_member(request, zone_slug, fiscal_year, membership_id):
    edition = _coordinated_edition(request, zone_slug, fiscal_year)
    membership = get_object_or_404(Membership, pk=membership_id, authority__coauthorships__edition=edition)
    remove_membership(request.user, membership)
    return redirect("authorities:members", zone_slug=zone_slug, fiscal_year=fiscal_year)
