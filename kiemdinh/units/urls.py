from django.urls import path

from kiemdinh.units import campus_views, change_views, import_views, views

app_name = "units"
urlpatterns = [
    path("", views.unit_list, name="list"),
    path("<int:unit_id>/", views.unit_detail, name="detail"),
    path("<int:unit_id>/doi-ten/", change_views.change_rename, name="change_rename"),
    path("<int:unit_id>/chuyen/", change_views.change_move, name="change_move"),
    path("<int:unit_id>/giai-the/", change_views.change_dissolve, name="change_dissolve"),
    path("<int:unit_id>/chuyen-truong/", change_views.change_school_move, name="change_school_move"),
    path("<int:unit_id>/thanh-lap/", change_views.change_establish, name="change_establish"),
    path("<int:unit_id>/sap-nhap/", change_views.change_merge, name="change_merge"),
    path("truong/<int:school_id>/diem-truong/", campus_views.campuses, name="campuses"),
    path("truong/<int:school_id>/diem-truong/them/", campus_views.campus_add, name="campus_add"),
    path("truong/<int:school_id>/diem-truong/<int:campus_id>/", campus_views.campus_edit, name="campus_edit"),
    path("truong/<int:school_id>/diem-truong/<int:campus_id>/xoa/", campus_views.campus_remove, name="campus_remove"),
    path("truong/<int:school_id>/sap-nhap/", campus_views.merge, name="school_merge"),
    path("nhap/", import_views.import_start, name="import_start"),
    path("nhap/tep-mau/<slug:kind>/", import_views.import_template, name="import_template"),
    path("nhap/<int:batch_id>/", import_views.import_preview, name="import_preview"),
    path("nhap/<int:batch_id>/xac-nhan/", import_views.import_commit, name="import_commit"),
    path("nhap/<int:batch_id>/huy/", import_views.import_discard, name="import_discard"),
]
