from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "kiemdinh.documents"
    label = "documents"
    verbose_name = "Văn bản"
