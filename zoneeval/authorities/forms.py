from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm

from . import throttling
from .models import Authority, Membership


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "ユーザー名またはパスワードが正しくありません。",
        "locked": "ログインの失敗が続いたため、しばらくログインできません。時間をおいてから再度お試しください。",
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        if throttling.is_locked(username, address):
            raise forms.ValidationError(self.error_messages["locked"], code="locked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttling.record_failure(username, address)
            raise
        throttling.reset(username, address)
        return cleaned


class MembershipForm(forms.Form):
    username = forms.CharField(label="ユーザー名", max_length=150)
    authority = forms.ModelChoiceField(label="自治体", queryset=Authority.objects.none())
    role = forms.ChoiceField(label="役割", choices=[(r.value, r.label) for r in (
        Membership.Role.DRAFTER, Membership.Role.APPROVER, Membership.Role.COORDINATOR)])

    def __init__(self, *args, authorities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authority"].queryset = authorities

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError("このユーザー名の有効な利用者はいません（利用者の作成は管理画面で行います）。")
        return user
