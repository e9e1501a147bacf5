from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "kiemdinh.units"
    label = "units"
    verbose_name = "Đơn vị hành chính và trường"
