from django.urls import path

from . import views

app_name = "authorities"
urlpatterns = [
    path("<slug:zone_slug>/<int:fiscal_year>/members/", views.members, name="members"),
    path("<slug:zone_slug>/<int:fiscal_year>/members/<int:membership_id>/remove/", views.remove_member, name="remove"),
]
