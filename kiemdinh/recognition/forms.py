from django import forms

from kiemdinh.core.forms import Form, date_field
from kiemdinh.frameworks.choices import Regime
from kiemdinh.recognition.models import DecisionKind, RecognitionRound
from kiemdinh.recognition.services import Correction, DecisionInput


class DecisionForm(Form):
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
    regime = forms.ChoiceField(
        label="Quy định áp dụng",
        choices=[("", "Theo ngày ký (Thông tư 57/2026 từ 07/7/2026)"), *Regime.choices],
        required=False,
        help_text="Quyết định từ kết quả đánh giá ngoài theo quy định năm 2018 có thể ký sau ngày 07/7/2026.",
    )

    def __init__(self, *args, kinds=None, **kwargs):
        """kinds: the decision kinds the user's body enters (the rule table); the others are not offered."""
        super().__init__(*args, **kwargs)
        if kinds is not None:
            self.fields["kind"].choices = [(v, label) for v, label in DecisionKind.choices if v in kinds]
            self.fields["kind"].error_messages["invalid_choice"] = "Bạn không ghi được loại quyết định này."

    def to_input(self) -> DecisionInput:
        return DecisionInput(**self.cleaned_data)


class CorrectionForm(Form):
    """The text of a decision as corrected (đính chính), with the reason."""

    number = forms.CharField(label="Số quyết định", max_length=64, required=False)
    decided_on = date_field("Ngày ký")
    valid_until = date_field("Có hiệu lực đến")
    issuer = forms.CharField(label="Cơ quan ban hành", max_length=200, required=False)
    signer_name = forms.CharField(label="Người ký", max_length=200, required=False)
    note = forms.CharField(label="Ghi chú", max_length=300, required=False)
    reason = forms.CharField(
        label="Lý do đính chính",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": "Hãy ghi lý do đính chính."},
    )

    @staticmethod
    def initial_from(decision) -> dict:
        return {name: getattr(decision, name) for name in Correction.__dataclass_fields__}

    def to_input(self) -> Correction:
        return Correction(**{name: self.cleaned_data[name] for name in Correction.__dataclass_fields__})


class RevokeForm(Form):
    revoked_on = date_field("Ngày thu hồi")
    revoked_reason = forms.CharField(
        label="Lý do thu hồi",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": "Hãy ghi lý do thu hồi."},
    )
    confirm = forms.BooleanField(
        label="Tôi xác nhận thu hồi quyết định này; trang công khai sẽ không còn hiện quyết định.",
        error_messages={"required": "Hãy đánh dấu xác nhận thu hồi."},
    )


class DelegationForm(Form):
    """A body's written delegation to another body of its unit (the Sở ↔ the People's Committee, the Phòng ↔ the
    district's UBND): from one of the user's own bodies."""

    body = forms.ChoiceField(label="Cơ quan ủy quyền", error_messages={"required": "Hãy chọn cơ quan ủy quyền."})
    actions = forms.MultipleChoiceField(
        label="Việc được ủy quyền",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Hãy chọn việc được ủy quyền."},
    )
    kind = forms.ChoiceField(
        label="Loại quyết định", required=False, choices=[("", "Cả hai loại"), *DecisionKind.choices]
    )
    document_number = forms.CharField(
        label="Số văn bản ủy quyền", max_length=64, error_messages={"required": "Hãy ghi số văn bản ủy quyền."}
    )
    document_on = date_field("Ngày văn bản")
    signer_name = forms.CharField(label="Người ký", max_length=200, required=False)
    valid_from = date_field("Có hiệu lực từ")
    valid_until = date_field("Có hiệu lực đến (trống: đến khi chấm dứt)")

    def __init__(self, *args, offices=(), actions=(), **kwargs):
        """offices: (value, label) of the user's bodies ("<unit id>:<body>"); actions: (value, label) of the rule
        table's actions."""
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = list(offices)
        self.fields["actions"].choices = list(actions)


class DelegationEndForm(Form):
    ended_on = date_field("Ngày chấm dứt")
    ended_reason = forms.CharField(
        label="Lý do chấm dứt",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": "Hãy ghi lý do chấm dứt."},
    )
