from django.contrib import admin
from django.urls import include, path

from kiemdinh.api.v1 import api

urlpatterns = [
    path("", include("kiemdinh.workspace.urls")),
    path("tai-khoan/", include("kiemdinh.accounts.urls")),
    path("bo-tieu-chuan/", include("kiemdinh.frameworks.urls")),
    path("don-vi/", include("kiemdinh.units.urls")),
    path("tu-danh-gia/", include("kiemdinh.selfassessment.urls")),
    path("tu-danh-gia/", include("kiemdinh.workflow.urls")),  # the cycle pages that gather several apps
    path("tu-danh-gia/<int:cycle_id>/minh-chung/", include("kiemdinh.evidence.urls")),
    path("", include("kiemdinh.documents.urls")),  # every download, at its app's addresses
    path("tu-danh-gia/<int:cycle_id>/cai-tien/", include("kiemdinh.improvement.urls")),
    path("ke-hoach/", include("kiemdinh.planning.urls")),
    path("cong-nhan/", include("kiemdinh.recognition.urls")),
    path("cong-nhan/doan/<int:team_id>/", include("kiemdinh.evaluation.urls.result")),
    path("danh-gia-ngoai/", include("kiemdinh.evaluation.urls.teams")),
    path("danh-gia-ngoai/doan/<int:team_id>/", include("kiemdinh.evaluation.urls.work")),
    path("cong-khai/", include("kiemdinh.public.urls")),
    path("cong-tac/", include("kiemdinh.oversight.urls")),
    path("thi-dua/", include("kiemdinh.emulation.urls")),
    path("xuat-van-ban/", include("kiemdinh.documents.export_urls")),
    path("api/v1/", api.urls),
    path("quan-tri/", admin.site.urls),
]
