from django.urls import path

from . import views

app_name = "assembly"
urlpatterns = [
    path("<slug:zone_slug>/<int:fiscal_year>/assembly/", views.start_run, name="start"),
    path("<slug:zone_slug>/<int:fiscal_year>/assembly/<int:run_id>/", views.run_status, name="status"),
    path("<slug:zone_slug>/<int:fiscal_year>/assembly/<int:run_id>/pdf/", views.run_pdf, name="pdf"),
]
