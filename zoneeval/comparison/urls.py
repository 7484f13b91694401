from django.urls import path

from . import views

app_name = "comparison"
urlpatterns = [
    path("<slug:zone_slug>/<int:fiscal_year>/changes/", views.changes, name="changes"),
]
