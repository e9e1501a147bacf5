from django.urls import path

from kiemdinh.planning import dashboard_views, views

app_name = "planning"

urlpatterns = [
    path("", views.plan_index, name="index"),
    path("don-vi/<int:unit_id>/", views.plan_list, name="plan_list"),
    path("don-vi/<int:unit_id>/lap/", views.plan_create, name="plan_create"),
    path("don-vi/<int:unit_id>/tong-quan/", dashboard_views.dashboard, name="dashboard"),
    path("<int:plan_id>/", views.plan_detail, name="plan_detail"),
    path("<int:plan_id>/sua/", views.plan_edit, name="plan_edit"),
    path("<int:plan_id>/ban-hanh/", views.plan_issue, name="plan_issue"),
    path("<int:plan_id>/dieu-chinh/", views.plan_reopen, name="plan_reopen"),
    path("<int:plan_id>/muc/them/", views.section_form, name="section_add"),
    path("<int:plan_id>/muc/<int:section_id>/sua/", views.section_form, name="section_edit"),
    path("<int:plan_id>/muc/<int:section_id>/xoa/", views.section_delete, name="section_delete"),
    path("<int:plan_id>/muc/<int:section_id>/<str:direction>/", views.section_move, name="section_move"),
    path("<int:plan_id>/truong/", views.targets, name="targets"),
    path("<int:plan_id>/truong/<int:target_id>/sua/", views.target_edit, name="target_edit"),
    path("<int:plan_id>/truong/<int:target_id>/xoa/", views.target_remove, name="target_remove"),
    path("<int:plan_id>/truong/<int:target_id>/<str:direction>/", views.target_move, name="target_move"),
    path("<int:plan_id>/de-xuat/nhan/", views.suggestions_accept, name="suggestions_accept"),
    path("<int:plan_id>/de-xuat/<int:school_id>/bo/", views.suggestion_dismiss, name="suggestion_dismiss"),
    path("<int:plan_id>/de-xuat/khoi-phuc/<int:dismissal_id>/", views.suggestion_restore, name="suggestion_restore"),
    path("<int:plan_id>/chi-tieu/", views.goals, name="goals"),
    path("<int:plan_id>/chi-tieu/them/", views.goal_form, name="goal_add"),
    path("<int:plan_id>/chi-tieu/<int:goal_id>/sua/", views.goal_form, name="goal_edit"),
    path("<int:plan_id>/chi-tieu/<int:goal_id>/xoa/", views.goal_delete, name="goal_delete"),
    path("<int:plan_id>/nhiem-vu/", views.tasks, name="tasks"),
    path("<int:plan_id>/nhiem-vu/them/", views.task_form, name="task_add"),
    path("<int:plan_id>/nhiem-vu/<int:task_id>/", views.task_detail, name="task_detail"),
    path("<int:plan_id>/nhiem-vu/<int:task_id>/sua/", views.task_form, name="task_edit"),
    path("<int:plan_id>/nhiem-vu/<int:task_id>/xoa/", views.task_delete, name="task_delete"),
    path(
        "<int:plan_id>/nhiem-vu/<int:task_id>/cap-nhat/<int:update_id>/tep/",
        views.task_update_file,
        name="task_update_file",
    ),
    path("<int:plan_id>/bao-cao/", views.reports, name="reports"),
    path("<int:plan_id>/bao-cao/moi/", views.report_form, name="report_add"),
    path("<int:plan_id>/bao-cao/<int:report_id>/sua/", views.report_form, name="report_edit"),
    path("<int:plan_id>/bao-cao/<int:report_id>/xoa/", views.report_delete, name="report_delete"),
]
