from django.urls import path

from kiemdinh.public import views

app_name = "public"
urlpatterns = [
    path("", views.index, name="index"),
    path("don-vi/<str:code>/", views.unit, name="unit"),
    path("truong/<str:code>/", views.school, name="school"),
]
