from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "kiemdinh.planning"
    label = "planning"
    verbose_name = "Kế hoạch của cơ quan quản lý"
