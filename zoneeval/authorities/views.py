"""Sign-in and, for the coordinator, the members of an edition's co-authors."""
from django.conf import settings
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


def locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout response (AXES_LOCKOUT_CALLABLE): the sign-in page with the reason and what to do."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = ThrottledAuthenticationForm(request, initial={"username": username})
    return render(request, "registration/login.html", {
        "form": form, "next": request.POST.get("next") or request.GET.get("next", ""),
        "lockout": f"ログインの失敗が続いたため、このユーザー名ではこの端末から{minutes}分間ログインできません。"
                   "時間をおいてから再度お試しください（その間のログインの試行は待ち時間を延ばします）。"
                   "パスワードが分からない場合は、所属自治体の取りまとめ担当者または管理者に連絡してください。",
    }, status=429)


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
