from django.urls import path

from . import views

app_name = "archive"
urlpatterns = [
    path("<slug:zone_slug>/archive/", views.zone_page, name="zone"),
    path("<slug:zone_slug>/<int:fiscal_year>/submit/", views.submit, name="submit"),
    path("<slug:zone_slug>/<int:fiscal_year>/submission/<slug:kind>/", views.submission_file, name="submission_file"),
    path("<slug:zone_slug>/<int:fiscal_year>/r<int:revision>/submission/<slug:kind>/", views.submission_file,
         name="revision_file"),
    path("<slug:zone_slug>/<int:fiscal_year>/r<int:revision>/verify/", views.verify, name="verify"),
    path("<slug:zone_slug>/<int:fiscal_year>/r<int:revision>/correct/", views.correct, name="correct"),
]
