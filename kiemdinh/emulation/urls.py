from django.urls import path

from kiemdinh.emulation import views

app_name = "emulation"

urlpatterns = [
    path("", views.index, name="index"),
    path("don-vi/<int:unit_id>/", views.unit_schemes, name="unit_schemes"),
    path("don-vi/<int:unit_id>/them/", views.scheme_create, name="scheme_create"),
    path("truong/<int:school_id>/", views.school_scores, name="school_scores"),
    path("<int:scheme_id>/", views.scheme_detail, name="scheme"),
    path("<int:scheme_id>/sua/", views.scheme_edit, name="scheme_edit"),
    path("<int:scheme_id>/chot/", views.scheme_close, name="scheme_close"),
    path("<int:scheme_id>/mo-lai/", views.scheme_reopen, name="scheme_reopen"),
    path("<int:scheme_id>/tieu-chi/them/", views.rule_add, name="rule_add"),
    path("<int:scheme_id>/tieu-chi/<int:rule_id>/sua/", views.rule_edit, name="rule_edit"),
    path("<int:scheme_id>/tieu-chi/<int:rule_id>/xoa/", views.rule_delete, name="rule_delete"),
    path("<int:scheme_id>/truong/<int:school_id>/", views.school_detail, name="school_detail"),
    path("<int:scheme_id>/truong/<int:school_id>/dieu-chinh/", views.score_adjust, name="score_adjust"),
]
