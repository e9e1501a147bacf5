from django.urls import include, path

from kiemdinh.selfassessment import views
from kiemdinh.selfassessment.council import urls as council_urls

app_name = "selfassessment"

urlpatterns = [
    path("", views.cycle_list, name="cycle_list"),
    path("mo-dot/", views.cycle_open_view, name="cycle_open"),
    path("<int:cycle_id>/", views.cycle_detail, name="cycle_detail"),
    path("<int:cycle_id>/tieu-chi/", views.criteria_list, name="criteria"),
    path("<int:cycle_id>/tieu-chi/<str:code>/", views.criterion_form, name="form"),
    path("<int:cycle_id>/tieu-chi/<str:code>/danh-gia/", views.criterion_rate, name="form_rate"),
    path("<int:cycle_id>/tieu-chi/<str:code>/nhap-tu-dong/", views.criterion_autosave, name="form_autosave"),
    path("<int:cycle_id>/tieu-chi/<str:code>/lich-su/", views.criterion_history, name="form_history"),
    path("<int:cycle_id>/muc-4/<str:code>/", views.level4_form, name="level4_form"),
    path("<int:cycle_id>/muc-4/<str:code>/danh-gia/", views.level4_rate, name="level4_rate"),
    path("<int:cycle_id>/muc-4/<str:code>/nhap-tu-dong/", views.level4_autosave, name="level4_autosave"),
    path("<int:cycle_id>/muc-4/<str:code>/lich-su/", views.level4_history, name="level4_history"),
    path("<int:cycle_id>/khoang-trong/", views.gap_board, name="gaps"),
    path("<int:cycle_id>/so-lieu/", views.school_data_page, name="school_data"),
    path("<int:cycle_id>/bao-cao/", views.report_texts_page, name="report_texts"),
    path("<int:cycle_id>/nop/", views.cycle_submit, name="submit"),
    path("<int:cycle_id>/tra-lai/", views.cycle_return, name="return"),
    path("<int:cycle_id>/chap-nhan/", views.cycle_accept, name="accept"),
    path("<int:cycle_id>/cong-bo/", views.cycle_publish, name="publish"),
    path("<int:cycle_id>/", include(council_urls)),
]
