from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kiemdinh.accounts"
    label = "accounts"
    verbose_name = "Tài khoản"
