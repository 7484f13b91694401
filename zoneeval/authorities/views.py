"""Sign-in. (The members page of an edition's co-authors shows several apps: it lives in workflow/views.py.)"""
from django.conf import settings
from django.contrib.auth.views import LoginView
from django.shortcuts import render

from .forms import ThrottledAuthenticationForm


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
