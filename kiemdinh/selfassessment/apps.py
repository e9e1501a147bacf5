from django.apps import AppConfig


class SelfassessmentConfig(AppConfig):
    name = "kiemdinh.selfassessment"
    label = "selfassessment"
    verbose_name = "Tự đánh giá"
