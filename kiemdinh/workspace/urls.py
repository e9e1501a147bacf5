from django.urls import path

from kiemdinh.workspace import audit_log, people, views

app_name = "workspace"
urlpatterns = [
    path("", views.home, name="home"),
    path("don-vi/truong/<int:school_id>/", views.school_page, name="school"),
    path("cong-nhan/truong/<int:school_id>/lich-su/", views.school_history_view, name="history"),
    path("nhat-ky/", audit_log.audit_log, name="audit_log"),
    path("tai-khoan/quan-ly/", people.people, name="people"),
    path("tai-khoan/quan-ly/tao/", people.person_create, name="person_create"),
    path("tai-khoan/quan-ly/<int:user_id>/phieu/", people.person_slip, name="person_slip"),
    path("tai-khoan/quan-ly/<int:user_id>/moi/", people.person_invite, name="person_invite"),
    path("tai-khoan/quan-ly/vai-tro/<int:membership_id>/thoi/", people.membership_end, name="membership_end"),
    path("tai-khoan/quan-ly/vai-tro/<int:membership_id>/doi/", people.membership_role, name="membership_role"),
]
