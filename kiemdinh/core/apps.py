from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kiemdinh.core"
    label = "core"
    verbose_name = "Hệ thống"

    def ready(self):
        from kiemdinh.core import page_cache

        page_cache.connect_signals()
