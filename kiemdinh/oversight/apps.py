from django.apps import AppConfig


class OversightConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "kiemdinh.oversight"
    verbose_name = "Kiểm tra, tư vấn, tập huấn"
