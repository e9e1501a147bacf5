from django.urls import path

from kiemdinh.evidence import views

app_name = "evidence"

# Mounted under /tu-danh-gia/<cycle_id>/minh-chung/ (config/urls.py).
urlpatterns = [
    path("", views.evidence_list, name="list"),
    path("them/", views.evidence_add, name="add"),
    path("dung-lai/", views.evidence_reuse, name="reuse"),
    path("ke-thua/", views.evidence_carry_over_view, name="carry_over"),
    path("kiem-tra/", views.evidence_health, name="health"),
    path("tep/<int:file_id>/", views.evidence_download, name="download"),
    path("<int:link_id>/", views.evidence_detail, name="detail"),
    path("<int:link_id>/tep/", views.evidence_file_add_view, name="file_add"),
    path("<int:link_id>/tep/<int:file_id>/xoa/", views.evidence_file_remove_view, name="file_remove"),
    path("<int:link_id>/trich-dan/", views.evidence_cite_view, name="cite"),
    path("<int:link_id>/trich-dan/<int:criterion_id>/xoa/", views.evidence_uncite_view, name="uncite"),
    path("<int:link_id>/go/", views.evidence_remove_view, name="remove"),
    path("nhap/", views.import_start, name="import_start"),
    path("nhap/mau.xlsx", views.import_template, name="import_template"),
    path("nhap/<int:batch_id>/", views.import_preview, name="import_preview"),
    path("nhap/<int:batch_id>/xac-nhan/", views.import_commit, name="import_commit"),
    path("nhap/<int:batch_id>/huy/", views.import_discard, name="import_discard"),
]
