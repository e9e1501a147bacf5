from django.urls import path

from kiemdinh.core import views
from kiemdinh.core.page_cache import cached_page

app_name = "core"
urlpatterns = [
    path("", cached_page(views.home), name="home"),
]
