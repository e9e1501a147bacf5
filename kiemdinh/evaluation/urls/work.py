"""The team's work, under /danh-gia-ngoai/doan/<team_id>/ (every URL gets team_id)."""

from django.urls import path

from kiemdinh.evaluation.views import work as views

app_name = "evaluation_work"

urlpatterns = [
    path("", views.home, name="home"),
    path("tieu-chi/<str:code>/", views.review, name="review"),
    path("muc-4/<str:code>/", views.review_level4, name="review_level4"),
    path("thong-nhat/", views.ratings, name="ratings"),
    path("thong-nhat/lay-muc-de-xuat/", views.ratings_copy, name="ratings_copy"),
    path("bao-cao/", views.report, name="report"),
    path("bao-cao/gui-truong/", views.report_send, name="report_send"),
    path("bao-cao/hoan-thanh/", views.report_finalise, name="report_finalise"),
    path("bao-cao/y-kien/", views.feedback_add, name="feedback_add"),
    path("bao-cao/y-kien/<int:feedback_id>/tra-loi/", views.feedback_reply, name="feedback_reply"),
]
