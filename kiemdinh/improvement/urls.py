from django.urls import path

from kiemdinh.improvement import views

app_name = "improvement"

urlpatterns = [
    path("", views.plan, name="plan"),
    path("lap/", views.plan_create, name="plan_create"),
    path("thong-tin/", views.plan_header, name="plan_header"),
    path("ban-hanh/", views.plan_issue, name="plan_issue"),
    path("du-thao/", views.plan_reopen, name="plan_reopen"),
    path("dong/them/", views.line_add, name="line_add"),
    path("dong/<int:line_id>/sua/", views.line_edit, name="line_edit"),
    path("dong/<int:line_id>/xoa/", views.line_delete, name="line_delete"),
    path("dong/<int:line_id>/lich-su/", views.line_history, name="line_history"),
    path("van-de/them/", views.issue_add, name="issue_add"),
    path("van-de/<int:issue_id>/sua/", views.issue_edit, name="issue_edit"),
    path("van-de/<int:issue_id>/xoa/", views.issue_delete, name="issue_delete"),
    path("ly-do/", views.coverage_note, name="coverage_note"),
    path("ly-do/<int:note_id>/xoa/", views.coverage_note_delete, name="coverage_note_delete"),
    path("chuyen-tiep/", views.carry_over, name="carry_over"),
    path("ket-qua/<int:line_id>/minh-chung/", views.result_to_evidence, name="result_to_evidence"),
    path("giam-sat/", views.monitoring, name="monitoring"),
    path("giam-sat/thanh-vien/them/", views.monitor_add, name="monitor_add"),
    path("giam-sat/thanh-vien/<int:member_id>/xoa/", views.monitor_remove, name="monitor_remove"),
    path("giam-sat/lich/", views.review_schedule, name="review_schedule"),
    path("giam-sat/dot/<int:review_id>/", views.review_record, name="review_record"),
    path("giam-sat/dot/<int:review_id>/xoa/", views.review_delete, name="review_delete"),
]
