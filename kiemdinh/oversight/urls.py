from django.urls import path

from kiemdinh.oversight import views

app_name = "oversight"
urlpatterns = [
    path("", views.index, name="index"),
    path("don-vi/<int:unit_id>/", views.unit_overview, name="unit"),
    path("don-vi/<int:unit_id>/kiem-tra/them/", views.visit_create, name="visit_create"),
    path("don-vi/<int:unit_id>/can-bo/them/", views.officer_add, name="officer_add"),
    path("don-vi/<int:unit_id>/tap-huan/them/", views.training_create, name="training_create"),
    path("kiem-tra/<int:visit_id>/", views.visit_detail, name="visit"),
    path("kiem-tra/<int:visit_id>/sua/", views.visit_edit, name="visit_edit"),
    path("kiem-tra/<int:visit_id>/xoa/", views.visit_delete, name="visit_delete"),
    path("kiem-tra/<int:visit_id>/viec/them/", views.action_add, name="action_add"),
    path("kiem-tra/<int:visit_id>/viec/<int:action_id>/hoan-thanh/", views.action_complete, name="action_complete"),
    path("kiem-tra/<int:visit_id>/viec/<int:action_id>/xoa/", views.action_delete, name="action_delete"),
    path("can-bo/<int:officer_id>/sua/", views.officer_edit, name="officer_edit"),
    path("can-bo/<int:officer_id>/xoa/", views.officer_delete, name="officer_delete"),
    path("tap-huan/<int:training_id>/", views.training_detail, name="training"),
    path("tap-huan/<int:training_id>/sua/", views.training_edit, name="training_edit"),
    path("tap-huan/<int:training_id>/xoa/", views.training_delete, name="training_delete"),
    path("tap-huan/<int:training_id>/danh-sach.xlsx", views.training_export, name="training_export"),
    path("tap-huan/<int:training_id>/nguoi-tham-du/them/", views.participants_add, name="participants_add"),
    path(
        "tap-huan/<int:training_id>/nguoi-tham-du/<int:participant_id>/tham-du/",
        views.participant_attended,
        name="participant_attended",
    ),
    path(
        "tap-huan/<int:training_id>/nguoi-tham-du/<int:participant_id>/xoa/",
        views.participant_delete,
        name="participant_delete",
    ),
    path("truong/<int:school_id>/", views.school, name="school"),
]
