from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction

from .models import Authority, Membership


class ThrottledAuthenticationForm(AuthenticationForm):
    """Sign-in, throttled by django-axes (the first authentication backend; failures are counted in the database,
    so every process sees one count). Attempts for one user name are taken one at a time, so the count axes checks
    always includes every attempt before this one, however many arrive together: at most the limit are checked."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "ユーザー名またはパスワードが正しくありません。",
    }

    def clean(self):
        refused = None
        with transaction.atomic():  # SQLite: an IMMEDIATE transaction, i.e. the database's write lock
            user_model = get_user_model()
            list(user_model._default_manager.select_for_update().filter(
                **{user_model.USERNAME_FIELD: self.cleaned_data.get("username") or ""}).values("pk"))
            try:
                return super().clean()
            except forms.ValidationError as error:
                refused = error  # the failure axes recorded must be committed, not rolled back with the error
        raise refused


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
