from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kiemdinh.accounts"
    label = "accounts"
    verbose_name = "Tài khoản"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from kiemdinh.accounts.middleware import stamp_at_sign_in
        from kiemdinh.accounts.two_factor import remember_whether_a_code_is_needed

        user_logged_in.connect(stamp_at_sign_in, dispatch_uid="kiemdinh.accounts.stamp_at_sign_in")
        user_logged_in.connect(remember_whether_a_code_is_needed, dispatch_uid="kiemdinh.accounts.needs_code")
