from django.urls import include, path

from kiemdinh.selfassessment import views
from kiemdinh.selfassessment.council import urls as council_urls

app_name = "selfassessment"

# The cycle list, opening a cycle, its overview, criterion forms and transitions are the workflow's pages, at the
# same prefix (workflow/urls.py).
urlpatterns = [
    path("<int:cycle_id>/tieu-chi/", views.criteria_list, name="criteria"),
    path("<int:cycle_id>/khoang-trong/", views.gap_board, name="gaps"),
    path("<int:cycle_id>/so-lieu/", views.school_data_page, name="school_data"),
    path("<int:cycle_id>/bao-cao/", views.report_texts_page, name="report_texts"),
    path("<int:cycle_id>/", include(council_urls)),
]
