from django.urls import path

from kiemdinh.recognition import views

app_name = "recognition"

urlpatterns = [
    path("truong/<int:school_id>/", views.school_decisions, name="school"),
    path("<int:decision_id>/thu-hoi/", views.decision_revoke_view, name="revoke"),
]
