"""Routes of the council, plan and nội hàm worksheet screens, below a cycle: the app's urls include them under
`<cycle_id>/`, so their names are `selfassessment:council`, `selfassessment:plan`, `selfassessment:worksheet`…"""

from django.urls import path

from kiemdinh.selfassessment.council.views import council as council_views
from kiemdinh.selfassessment.council.views import plan as plan_views
from kiemdinh.selfassessment.council.views import worksheet as worksheet_views

urlpatterns = [
    path("hoi-dong/", council_views.council, name="council"),
    path("hoi-dong/quyet-dinh/", council_views.council_decision_save, name="council_decision_save"),
    path("hoi-dong/thanh-vien/them/", council_views.council_member_add, name="council_member_add"),
    path("hoi-dong/thanh-vien/<int:member_id>/sua/", council_views.council_member_edit, name="council_member_edit"),
    path("hoi-dong/thanh-vien/<int:member_id>/xoa/", council_views.council_member_delete, name="council_member_delete"),
    path("hoi-dong/nhom/them/", council_views.council_group_add, name="council_group_add"),
    path("hoi-dong/nhom/<int:group_id>/sua/", council_views.council_group_edit, name="council_group_edit"),
    path("hoi-dong/nhom/<int:group_id>/xoa/", council_views.council_group_delete, name="council_group_delete"),
    path("hoi-dong/phan-cong/", council_views.council_assignments, name="council_assignments"),
    path("hoi-dong/sao-chep/", council_views.council_copy, name="council_copy"),
    path("ke-hoach/", plan_views.plan, name="plan"),
    path("ke-hoach/luu/", plan_views.plan_save, name="plan_save"),
    path("ke-hoach/hoat-dong/them/", plan_views.plan_activity_add, name="plan_activity_add"),
    path("ke-hoach/hoat-dong/<int:activity_id>/sua/", plan_views.plan_activity_edit, name="plan_activity_edit"),
    path("ke-hoach/hoat-dong/<int:activity_id>/xoa/", plan_views.plan_activity_delete, name="plan_activity_delete"),
    path("ke-hoach/lich-mau/", plan_views.plan_propose, name="plan_propose"),
    path("ke-hoach/sao-chep/", plan_views.plan_copy, name="plan_copy"),
    path("noi-ham/", worksheet_views.worksheet, name="worksheet"),
    path(
        "noi-ham/chi-bao/<int:indicator_id>/", worksheet_views.worksheet_indicator_save, name="worksheet_indicator_save"
    ),
    path("noi-ham/muc-4/<int:item_id>/", worksheet_views.worksheet_level4_save, name="worksheet_level4_save"),
    path("noi-ham/sao-chep/", worksheet_views.worksheet_copy, name="worksheet_copy"),
]
