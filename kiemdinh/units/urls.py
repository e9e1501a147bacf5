from django.urls import path

from kiemdinh.units import views

app_name = "units"
urlpatterns = [
    path("", views.unit_list, name="list"),
    path("<int:unit_id>/", views.unit_detail, name="detail"),
    path("truong/<int:school_id>/", views.school_detail, name="school"),
    path("nhap/", views.unit_list, name="import_start"),  # replaced by the import screens
]
