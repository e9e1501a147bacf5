from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kiemdinh.core"
    label = "core"
    verbose_name = "Hệ thống"
