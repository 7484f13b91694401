from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.edition_list, name="edition_list"),
    path("<slug:zone_slug>/<int:fiscal_year>/", views.edition_detail, name="edition_detail"),
]
