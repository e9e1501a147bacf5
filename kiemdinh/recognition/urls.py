from django.urls import path

from kiemdinh.recognition import views

app_name = "recognition"

urlpatterns = [
    path("tham-quyen/", views.rules, name="rules"),
    path("uy-quyen/", views.delegations, name="delegations"),
    path("uy-quyen/<int:delegation_id>/cham-dut/", views.delegation_end_view, name="delegation_end"),
    path("truong/<int:school_id>/", views.school_decisions, name="school"),
    path("<int:decision_id>/", views.decision_detail, name="decision"),
    path("<int:decision_id>/dinh-chinh/", views.decision_correct_view, name="correct"),
    path("<int:decision_id>/thu-hoi/", views.decision_revoke_view, name="revoke"),
]
