from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "kiemdinh.frameworks"
    label = "frameworks"
    verbose_name = "Bộ tiêu chuẩn"
