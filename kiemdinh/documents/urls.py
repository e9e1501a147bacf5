from django.urls import path

from kiemdinh.documents import views

app_name = "documents"

urlpatterns = [
    path("", views.cycle_documents, name="cycle"),
    path("<slug:kind>.<str:fmt>", views.download, name="download"),
]
