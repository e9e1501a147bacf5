from django.urls import path

from kiemdinh.workspace import views

app_name = "workspace"
urlpatterns = [
    path("", views.home, name="home"),
    path("don-vi/truong/<int:school_id>/", views.school_page, name="school"),
    path("cong-nhan/truong/<int:school_id>/lich-su/", views.school_history_view, name="history"),
]
