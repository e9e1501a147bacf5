from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kiemdinh.api"
    label = "api"
    verbose_name = "API"
