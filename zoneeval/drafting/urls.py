from django.urls import path

from . import views
from .workbook import views as workbook

app_name = "drafting"
urlpatterns = [
    path("<slug:zone_slug>/<int:fiscal_year>/draft/", views.dashboard, name="dashboard"),
    path("<slug:zone_slug>/<int:fiscal_year>/draft/<slug:section>/", views.section, name="section"),
    path("<slug:zone_slug>/<int:fiscal_year>/draft/new/<slug:kind_key>/", views.item_new, name="item_new"),
    path("<slug:zone_slug>/<int:fiscal_year>/draft/create/<slug:kind_key>/", views.item_create, name="item_create"),
    path("draft/item/<slug:kind_key>/<int:pk>/", views.item_edit, name="item_edit"),
    path("draft/item/<slug:kind_key>/<int:pk>/delete/", views.item_delete, name="item_delete"),
    path("draft/item/<slug:kind_key>/<int:pk>/preview/", views.item_preview, name="item_preview"),
    path("draft/target/<int:pk>/years/", views.target_years, name="target_years"),
    path("draft/target/<int:pk>/years/preview/", views.target_years_preview, name="target_years_preview"),
    path("draft/part/<int:part_id>/history/", views.part_history, name="part_history"),
    path("draft/part/<int:part_id>/presence/", views.presence, name="presence"),
    path("<slug:zone_slug>/<int:fiscal_year>/workbook/", workbook.workbook, name="workbook"),
    path("<slug:zone_slug>/<int:fiscal_year>/workbook/download/", workbook.download, name="workbook_download"),
    path("<slug:zone_slug>/<int:fiscal_year>/workbook/upload/", workbook.upload, name="workbook_upload"),
    path("<slug:zone_slug>/<int:fiscal_year>/workbook/preview/<str:token>/", workbook.preview,
         name="workbook_preview"),
    path("<slug:zone_slug>/<int:fiscal_year>/workbook/confirm/<str:token>/", workbook.confirm,
         name="workbook_confirm"),
    path("<slug:zone_slug>/<int:fiscal_year>/workbook/discard/<str:token>/", workbook.discard,
         name="workbook_discard"),
]
