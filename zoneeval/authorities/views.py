"""Sign-in. (The members page of an edition's co-authors shows several apps: it lives in workflow/views.py.)"""
from django.contrib.auth.views import LoginView

from .forms import ThrottledAuthenticationForm


class ThrottledLoginView(LoginView):
    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True
