from django.urls import path

from . import views, yearly_views

app_name = "workflow"
urlpatterns = [
    path("my-work/", views.my_work_page, name="my_work"),
    path("my-work/review/", views.review_queue, name="review_queue"),
    path("workflow/part/<int:part_id>/audit/", views.part_audit, name="part_audit"),
    path("workflow/part/<int:part_id>/<slug:action>/", views.part_action, name="part_action"),
    path("workflow/part/<int:part_id>/comments/add/", views.add_comment, name="add_comment"),
    path("workflow/comment/<int:comment_id>/resolve/", views.resolve_comment, name="resolve_comment"),
    path("<slug:zone_slug>/<int:fiscal_year>/signoff/", views.sign_off, name="sign_off"),
    path("<slug:zone_slug>/<int:fiscal_year>/national-evaluation/", yearly_views.national_evaluation,
         name="national_evaluation"),
    path("<slug:zone_slug>/<int:fiscal_year>/rollover/", yearly_views.roll_over, name="roll_over"),
    path("<slug:zone_slug>/<int:fiscal_year>/print-options/", views.print_options, name="print_options"),
    path("<slug:zone_slug>/<int:fiscal_year>/members/", views.members, name="members"),
    path("<slug:zone_slug>/<int:fiscal_year>/members/<int:membership_id>/remove/", views.remove_member,
         name="remove_member"),
    path("<slug:zone_slug>/<int:fiscal_year>/audit/", views.edition_audit, name="edition_audit"),
    path("<slug:zone_slug>/<int:fiscal_year>/r<int:revision>/audit/", views.edition_audit, name="revision_audit"),
]
