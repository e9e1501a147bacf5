"""Forms of a school's sites and of a merger (units.campus_views)."""

from django import forms

from kiemdinh.core.forms import Form
from kiemdinh.units.change_forms import DocumentFields
from kiemdinh.units.models import CampusKind


class CampusForm(Form):
    name = forms.CharField(label="Tên điểm trường", max_length=200)
    kind = forms.ChoiceField(label="Loại", choices=CampusKind.choices, initial=CampusKind.SITE)
    address = forms.CharField(label="Địa chỉ", max_length=300, required=False)
    pupils = forms.IntegerField(label="Số học sinh (trẻ)", min_value=0, max_value=100_000, required=False)
    classes = forms.IntegerField(label="Số lớp (nhóm)", min_value=0, max_value=10_000, required=False)


class MergeSchoolsForm(DocumentFields):
    predecessors = forms.ModelMultipleChoiceField(
        label="Các trường sáp nhập vào trường này", queryset=None, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label="Ghi chú", max_length=300, required=False)
    field_order = ["predecessors", "note"]

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["predecessors"].queryset = schools
