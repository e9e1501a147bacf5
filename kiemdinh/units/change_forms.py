"""Forms of the dated changes of the tree (units.change_views): each carries its deciding document."""

from django import forms

from kiemdinh.core.forms import Form, date_field
from kiemdinh.units.models import UnitKind


class DocumentFields(Form):
    effective_on = date_field("Ngày có hiệu lực")
    decision_number = forms.CharField(label="Số văn bản quyết định", max_length=100)
    decision_date = date_field("Ngày văn bản")
    decision_body = forms.CharField(label="Cơ quan ban hành", max_length=200)

    def clean(self):
        data = super().clean()
        for name in ("effective_on", "decision_date"):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, "Hãy nhập ngày.")
        return data


class RenameForm(DocumentFields):
    name = forms.CharField(label="Tên mới", max_length=200)
    field_order = ["name"]


class MoveForm(DocumentFields):
    parent = forms.ModelChoiceField(label="Đơn vị cấp trên mới", queryset=None, empty_label="— Chọn đơn vị —")
    field_order = ["parent"]

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = units


class DissolveForm(DocumentFields):
    successor = forms.ModelChoiceField(
        label="Đơn vị kế thừa (nhận các đơn vị và trường trực thuộc)", queryset=None, empty_label="— Chọn đơn vị —"
    )
    field_order = ["successor"]

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = units


class SchoolMoveForm(DocumentFields):
    school = forms.ModelChoiceField(label="Trường", queryset=None, empty_label="— Chọn trường —")
    unit = forms.ModelChoiceField(label="Đơn vị quản lý mới", queryset=None, empty_label="— Chọn đơn vị —")
    field_order = ["school", "unit"]

    def __init__(self, *args, schools, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        self.fields["unit"].queryset = units


class EstablishForm(DocumentFields):
    code = forms.CharField(label="Mã đơn vị mới", max_length=32)
    name = forms.CharField(label="Tên đơn vị mới", max_length=200, help_text="Ví dụ: phường Kim Trà, xã Bình Điền.")
    kind = forms.ChoiceField(label="Cấp", choices=UnitKind.choices, initial=UnitKind.COMMUNE)
    note = forms.CharField(label="Ghi chú (ví dụ: trên cơ sở các xã…)", max_length=300, required=False)
    field_order = ["code", "name", "kind", "note"]

    def __init__(self, *args, parent_kind: str = UnitKind.PROVINCE, **kwargs):
        super().__init__(*args, **kwargs)
        # the levels that may stand below the unit: communes (and, below a province, districts of the old tree)
        below = [UnitKind.COMMUNE] + ([UnitKind.DISTRICT] if parent_kind == UnitKind.PROVINCE else [])
        self.fields["kind"].choices = [(k.value, k.label) for k in below]


class MergeForm(DocumentFields):
    units = forms.ModelMultipleChoiceField(
        label="Các đơn vị sáp nhập (cùng cấp, trực thuộc đơn vị này)",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )
    code = forms.CharField(label="Mã đơn vị mới", max_length=32)
    name = forms.CharField(label="Tên đơn vị mới", max_length=200)
    note = forms.CharField(label="Ghi chú", max_length=300, required=False)
    field_order = ["units", "code", "name", "note"]

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = children
