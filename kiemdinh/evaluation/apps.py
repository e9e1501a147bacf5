from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "kiemdinh.evaluation"
    verbose_name = "Đánh giá ngoài"
