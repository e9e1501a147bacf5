from django.urls import path

from kiemdinh.selfassessment import council_views

urlpatterns = [
    path("hoi-dong/", council_views.council, name="council"),
    path("ke-hoach/", council_views.plan, name="plan"),
    path("noi-ham/", council_views.worksheet, name="worksheet"),
]
