from django.urls import path

from . import views

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
]
