from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "kiemdinh.evidence"
    label = "evidence"
    verbose_name = "Minh chứng"
