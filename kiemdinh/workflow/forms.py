from django import forms
from django.core.exceptions import ValidationError

from kiemdinh.core.forms import Form
from kiemdinh.core.schoolyear import normalize_school_year


class CycleOpenForm(Form):
    school = forms.ModelChoiceField(label="Trường", queryset=None, empty_label=None)
    school_year = forms.CharField(label="Năm học", max_length=20, help_text="Ví dụ: 2026-2027")
    carry_over_from = forms.ModelChoiceField(
        label="Kế thừa từ đợt trước (hội đồng, kế hoạch, minh chứng, nội dung phiếu)",
        queryset=None,
        required=False,
        empty_label="Không kế thừa — bắt đầu trống",
    )

    def __init__(self, *args, schools, cycles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        self.fields["carry_over_from"].queryset = cycles
        self.fields["carry_over_from"].label_from_instance = lambda c: f"{c.school.name} — năm học {c.school_year}"

    def clean_school_year(self):
        try:
            return normalize_school_year(self.cleaned_data["school_year"])
        except ValidationError as error:
            raise ValidationError(error.message_dict["school_year"]) from None


class ReviewForm(Form):
    comment = forms.CharField(label="Ý kiến chung", required=False, widget=forms.Textarea(attrs={"rows": 3}))
