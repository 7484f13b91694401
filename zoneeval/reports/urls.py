from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.edition_list, name="edition_list"),
    path("<slug:zone_slug>/<int:fiscal_year>/", views.edition_detail, name="edition_detail"),
    # an edition that a correction (訂正版) superseded, by its revision (0: the original); (zone, year) is the current
    path("<slug:zone_slug>/<int:fiscal_year>/r<int:revision>/", views.edition_detail, name="edition_revision"),
]
