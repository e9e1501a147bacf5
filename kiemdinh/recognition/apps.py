from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "kiemdinh.recognition"
    verbose_name = "Công nhận"
