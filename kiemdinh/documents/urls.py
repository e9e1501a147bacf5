"""Every download of a document, at the address it has among its app's pages (included at the site's root)."""

from django.urls import path

from kiemdinh.documents import views

app_name = "documents"

urlpatterns = [
    path("tu-danh-gia/<int:cycle_id>/van-ban/", views.cycle_documents, name="cycle"),
    path("tu-danh-gia/<int:cycle_id>/van-ban/<slug:kind>.<str:fmt>", views.download, name="download"),
    path("ke-hoach/<int:plan_id>/tai-ve.<str:fmt>", views.annual_plan, name="annual_plan"),
    path("ke-hoach/<int:plan_id>/bao-cao/<int:report_id>/tai-ve.docx", views.plan_report, name="plan_report"),
    path("cong-nhan/<int:decision_id>/tai-ve/", views.decision, name="decision"),
    path(
        "danh-gia-ngoai/doan/<int:team_id>/bao-cao/tai-ve.<str:fmt>", views.evaluation_report, name="evaluation_report"
    ),
    path("thi-dua/<int:scheme_id>/xuat.xlsx", views.score_sheet, {"fmt": "xlsx"}, name="score_sheet_xlsx"),
    path("thi-dua/<int:scheme_id>/xuat.docx", views.score_sheet, {"fmt": "docx"}, name="score_sheet_docx"),
]
