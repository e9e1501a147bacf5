from django.urls import path

from kiemdinh.evidence import views

app_name = "evidence"

urlpatterns = [
    path("", views.evidence_list, name="list"),
    path("kiem-tra/", views.evidence_health, name="health"),
]
