"""Forms of the account administration pages (workspace.people)."""

from django import forms

from kiemdinh.accounts.models import Role
from kiemdinh.core.forms import Form, textarea


class AccountCreateForm(Form):
    full_name = forms.CharField(label="Họ và tên", max_length=200)
    username = forms.CharField(
        label="Tên đăng nhập",
        max_length=150,
        help_text="Chữ không dấu, số và các dấu . - _ @ (ví dụ: nguyenvan.an).",
    )
    email = forms.EmailField(
        label="Thư điện tử",
        required=False,
        help_text="Có địa chỉ thì hệ thống gửi thư mời đặt mật khẩu; không có thì in phiếu đặt mật khẩu.",
    )
    role = forms.ChoiceField(label="Vai trò")
    unit = forms.ModelChoiceField(
        label="Đơn vị (cán bộ quản lý)", queryset=None, required=False, empty_label="— Chọn đơn vị —"
    )
    school = forms.ModelChoiceField(
        label="Trường (hiệu trưởng, người của trường)", queryset=None, required=False, empty_label="— Chọn trường —"
    )
    title = forms.CharField(label="Chức vụ", max_length=200, required=False)

    def __init__(self, *args, roles, units, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, Role(r).label) for r in roles]
        self.fields["unit"].queryset = units
        self.fields["school"].queryset = schools
        for name, places in (("unit", units), ("school", schools)):
            count = places.count()
            if not count:
                del self.fields[name]
            elif count == 1:  # a principal's own school: nothing to choose
                self.fields[name].empty_label = None

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if role == Role.OFFICER and not data.get("unit"):
            self.add_error("unit", "Cán bộ quản lý cần chọn đơn vị.")
        if role and role != Role.OFFICER and not data.get("school"):
            self.add_error("school", "Người của trường cần chọn trường.")
        if role == Role.OFFICER:
            data["school"] = None
        else:
            data["unit"] = None
        return data


class ReasonForm(Form):
    reason = textarea("Lý do", rows=2)


class RoleChangeForm(ReasonForm):
    role = forms.ChoiceField(label="Vai trò mới")

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, Role(r).label) for r in roles]
