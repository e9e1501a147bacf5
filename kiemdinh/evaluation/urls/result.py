"""The result step of a team (config/urls.py mounts it at cong-nhan/doan/<team_id>/, where it has always been)."""

from django.urls import path

from kiemdinh.evaluation.views import result as views

app_name = "result"
urlpatterns = [
    path("ban-hanh/", views.decisions_issue_view, name="issue"),
    path("cong-khai/", views.publication_publish_view, name="publish"),
    path("go-cong-khai/", views.publication_withdraw_view, name="withdraw"),
]
