from django.urls import path

from kiemdinh.units import import_views, views

app_name = "units"
urlpatterns = [
    path("", views.unit_list, name="list"),
    path("<int:unit_id>/", views.unit_detail, name="detail"),
    path("nhap/", import_views.import_start, name="import_start"),
    path("nhap/tep-mau/<slug:kind>/", import_views.import_template, name="import_template"),
    path("nhap/<int:batch_id>/", import_views.import_preview, name="import_preview"),
    path("nhap/<int:batch_id>/xac-nhan/", import_views.import_commit, name="import_commit"),
    path("nhap/<int:batch_id>/huy/", import_views.import_discard, name="import_discard"),
]
