from django.apps import AppConfig


class ImprovementConfig(AppConfig):
    name = "kiemdinh.improvement"
    label = "improvement"
    verbose_name = "Kế hoạch cải tiến chất lượng"
