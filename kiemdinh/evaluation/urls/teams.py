from django.urls import path

from kiemdinh.evaluation.views import evaluators
from kiemdinh.evaluation.views import teams as views

app_name = "evaluation"

urlpatterns = [
    path("", views.index, name="index"),
    path("dot/<int:cycle_id>/dang-ky/", views.registration, name="registration"),
    path("dang-ky/<int:registration_id>/", views.registration_detail, name="registration_detail"),
    path("dang-ky/<int:registration_id>/xu-ly/", views.registration_decide, name="registration_decide"),
    path("dang-ky/<int:registration_id>/rut/", views.registration_withdraw, name="registration_withdraw"),
    path("dang-ky/<int:registration_id>/thanh-lap-doan/", views.team_establish, name="team_establish"),
    path("don-vi/<int:unit_id>/", views.unit_registrations, name="unit_registrations"),
    path("doan-danh-gia/<int:team_id>/", views.team, name="team"),
    path("doan-danh-gia/<int:team_id>/sua/", views.team_edit, name="team_edit"),
    path(
        "doan-danh-gia/<int:team_id>/thanh-vien/<int:member_id>/phan-cong/", views.member_assign, name="member_assign"
    ),
    path("doan-danh-gia/<int:team_id>/thanh-vien/<int:member_id>/bo/", views.member_remove, name="member_remove"),
    path("danh-gia-vien/", evaluators.evaluators, name="evaluators"),
    path("danh-gia-vien/them/", evaluators.evaluator_form, name="evaluator_add"),
    path("danh-gia-vien/<int:evaluator_id>/", evaluators.evaluator_detail, name="evaluator_detail"),
    path("danh-gia-vien/<int:evaluator_id>/sua/", evaluators.evaluator_form, name="evaluator_edit"),
    path("cua-toi/", views.mine, name="mine"),
]
