from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from kiemdinh.core.forms import CleanInputMixin


class LoginForm(CleanInputMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": "Tên đăng nhập hoặc mật khẩu không đúng. Lưu ý chữ hoa, chữ thường.",
        "inactive": "Tài khoản này đã bị khóa.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Tên đăng nhập"
        self.fields["password"].label = "Mật khẩu"
        self.fields["username"].widget = forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"})


class PasswordResetRequestForm(CleanInputMixin, PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Địa chỉ thư điện tử của tài khoản"
