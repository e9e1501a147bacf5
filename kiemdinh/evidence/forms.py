from django import forms

from kiemdinh.core.forms import Form
from kiemdinh.evidence.files import ACCEPT_ATTRIBUTE
from kiemdinh.frameworks.models import Criterion


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (`<input type=file multiple>`); each is checked by the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class CriterionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        name = obj.name if len(obj.name) <= 70 else obj.name[:69] + "…"
        return f"{obj.code}. {name}"


def criterion_field(cycle, **kwargs) -> CriterionChoiceField:
    return CriterionChoiceField(
        queryset=Criterion.objects.filter(version_id=cycle.framework_id).order_by("standard__position", "position"),
        empty_label="— Chọn tiêu chí —",
        error_messages={"required": "Hãy chọn tiêu chí.", "invalid_choice": "Tiêu chí không hợp lệ."},
        **kwargs,
    )


class EvidenceFieldsForm(Form):
    name_fields = ("name",)  # a name, though typed in a two-line box: one line, no invisible characters
    name = forms.CharField(
        label="Tên minh chứng",
        max_length=1000,
        error_messages={"required": "Thiếu tên minh chứng.", "max_length": "Tên dài quá %(limit_value)d ký tự."},
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    issue_ref = forms.CharField(label="Số, ngày ban hành", max_length=300, required=False)
    issued_by = forms.CharField(label="Nơi ban hành", max_length=300, required=False)
    link = forms.URLField(
        label="Đường dẫn điện tử",
        max_length=1000,
        required=False,
        assume_scheme="https",
        error_messages={"invalid": "Đường dẫn không hợp lệ: hãy ghi đầy đủ, bắt đầu bằng http:// hoặc https://."},
    )
    valid_until = forms.DateField(
        label="Hiệu lực đến",
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Ngày không hợp lệ (ghi theo dạng ngày/tháng/năm)."},
        help_text="Để trống nếu minh chứng không có thời hạn.",
    )
    note = forms.CharField(label="Ghi chú", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class EvidenceCreateForm(EvidenceFieldsForm):
    files = MultipleFileField(label="Tệp minh chứng", required=False)
    allow_duplicate = forms.BooleanField(
        label="Vẫn tạo minh chứng mới với tệp trùng nội dung", required=False, widget=forms.HiddenInput
    )

    field_order = ["criterion", "name", "issue_ref", "issued_by", "link", "valid_until", "note", "files"]

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"] = criterion_field(cycle, label="Tiêu chí")
        self.order_fields(self.field_order)


class FileAddForm(Form):
    files = MultipleFileField(
        label="Thêm tệp", error_messages={"required": "Hãy chọn tệp cần tải lên.", "empty": "Tệp rỗng."}
    )


class CiteForm(Form):
    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"] = criterion_field(cycle, label="Dùng cho tiêu chí")


class ReuseForm(Form):
    evidence = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"] = criterion_field(cycle, label="Tiêu chí", widget=forms.HiddenInput)


class ImportForm(Form):
    file = forms.FileField(
        label="Tệp danh mục minh chứng (.xlsx hoặc .csv)",
        error_messages={"required": "Hãy chọn tệp cần nhập.", "empty": "Tệp rỗng, không có dữ liệu."},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


class CarryOverForm(Form):
    def __init__(self, *args, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"] = forms.ModelChoiceField(
            queryset=sources,
            label="Kế thừa từ đợt",
            empty_label=None,
            error_messages={"invalid_choice": "Đợt tự đánh giá không hợp lệ."},
        )
