from django import forms

from kiemdinh.core.forms import date_field
from kiemdinh.recognition.models import DecisionKind, RecognitionRound
from kiemdinh.recognition.services import DecisionInput


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(label="Loại công nhận", choices=DecisionKind.choices)
    level = forms.TypedChoiceField(
        label="Cấp độ / mức độ",
        coerce=int,
        choices=[(1, "1"), (2, "2"), (3, "3"), (4, "4")],
        help_text="Cấp độ 1–4 (kiểm định); mức độ 1–2 (chuẩn quốc gia).",
    )
    recognition_round = forms.ChoiceField(label="Lần công nhận", choices=RecognitionRound.choices)
    number = forms.CharField(label="Số quyết định", max_length=64, required=False, help_text="Ví dụ: 1234/QĐ-SGDĐT")
    decided_on = date_field("Ngày ký")
    issuer = forms.CharField(label="Cơ quan ban hành", max_length=200, required=False)
    signer_name = forms.CharField(label="Người ký", max_length=200, required=False)
    valid_until = date_field("Có hiệu lực đến (trống: 5 năm kể từ ngày ký)")
    note = forms.CharField(label="Ghi chú", max_length=300, required=False)

    def to_input(self) -> DecisionInput:
        return DecisionInput(**self.cleaned_data)


class RevokeForm(forms.Form):
    revoked_on = date_field("Ngày thu hồi")
    revoked_reason = forms.CharField(
        label="Lý do thu hồi",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Hãy ghi lý do thu hồi."},
    )
