from django.urls import path

from kiemdinh.frameworks import views

app_name = "frameworks"
urlpatterns = [
    path("", views.framework_list, name="list"),
    path("<slug:code>/", views.framework_detail, name="detail"),
]
