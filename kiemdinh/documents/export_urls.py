from django.urls import path

from kiemdinh.documents import export_views

app_name = "exports"

urlpatterns = [
    path("don-vi/<int:unit_id>/", export_views.unit_export_start, name="start"),
    path("<int:job_id>/", export_views.job_detail, name="job"),
    path("<int:job_id>/tai/", export_views.job_download, name="download"),
]
