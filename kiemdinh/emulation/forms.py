"""Forms of the emulation screens: they parse input; the services check and write it.

A rule has one form per kind showing only the parameters that kind needs (RULE_FORMS)."""

from django import forms

from kiemdinh.core.forms import Form, date_field, textarea
from kiemdinh.emulation.models import EmulationRule, EmulationScheme, LevelMode, RecognitionWanted, RuleKind


class SchemeForm(Form):
    school_year = forms.CharField(
        label="Năm học", max_length=20, widget=forms.TextInput(attrs={"placeholder": "2019-2020"})
    )
    title = forms.CharField(label="Tên bảng điểm", max_length=300)
    max_score = forms.CharField(label="Thang điểm (để trống nếu không giới hạn)", required=False, max_length=10)
    signer_title = forms.CharField(label="Chức danh người ký", max_length=120, initial="TRƯỞNG PHÒNG")
    signer_name = forms.CharField(label="Người ký", max_length=200, required=False)
    notes = textarea("Ghi chú")

    @staticmethod
    def initial_for(scheme: EmulationScheme) -> dict:
        return {
            "school_year": scheme.school_year,
            "title": scheme.title,
            "max_score": str(scheme.max_score).replace(".", ",") if scheme.max_score is not None else "",
            "signer_title": scheme.signer_title,
            "signer_name": scheme.signer_name,
            "notes": scheme.notes,
        }


class RuleForm(Form):
    """The fields every rule has; subclasses add their kind's parameters and say how to read them."""

    kind: str = ""
    label = forms.CharField(label="Nội dung chấm điểm (như in trong bảng)", max_length=300)
    points = forms.CharField(label="Điểm", max_length=10)
    position = forms.IntegerField(label="Thứ tự", required=False, min_value=1, max_value=999)

    def parameters(self) -> dict:
        return {}

    @classmethod
    def initial_for(cls, rule: EmulationRule) -> dict:
        return {"label": rule.label, "points": str(rule.points).replace(".", ","), "position": rule.position}


class SubmittedOnTimeForm(RuleForm):
    kind = RuleKind.SA_SUBMITTED_ON_TIME
    deadline = date_field("Hạn nộp báo cáo tự đánh giá")
    late_points = forms.CharField(label="Điểm khi nộp muộn (để trống: 0)", required=False, max_length=10)

    def parameters(self) -> dict:
        return {"deadline": self.cleaned_data.get("deadline"), "late_points": self.cleaned_data.get("late_points")}

    @classmethod
    def initial_for(cls, rule: EmulationRule) -> dict:
        return {
            **super().initial_for(rule),
            "deadline": rule.deadline,
            "late_points": str(rule.late_points).replace(".", ","),
        }


class LevelReachedForm(RuleForm):
    kind = RuleKind.LEVEL_REACHED
    mode = forms.ChoiceField(label="Cách tính", choices=LevelMode.choices, initial=LevelMode.MINIMUM)
    min_level = forms.TypedChoiceField(
        label="Mức tối thiểu (cách tính thứ nhất)",
        choices=[(n, f"Mức {n}") for n in range(1, 5)],
        coerce=int,
        required=False,
        initial=2,
    )

    def parameters(self) -> dict:
        return {"mode": self.cleaned_data.get("mode"), "min_level": self.cleaned_data.get("min_level")}

    @classmethod
    def initial_for(cls, rule: EmulationRule) -> dict:
        return {**super().initial_for(rule), "mode": rule.level_mode, "min_level": rule.min_level}


class RecognisedForm(RuleForm):
    kind = RuleKind.RECOGNISED
    decision_kind = forms.ChoiceField(
        label="Quyết định công nhận", choices=RecognitionWanted.choices, initial=RecognitionWanted.ANY
    )

    def parameters(self) -> dict:
        return {"decision_kind": self.cleaned_data.get("decision_kind")}

    @classmethod
    def initial_for(cls, rule: EmulationRule) -> dict:
        return {**super().initial_for(rule), "decision_kind": rule.decision_kind}


class AcceptedForm(RuleForm):
    kind = RuleKind.SA_ACCEPTED


class ImprovementForm(RuleForm):
    kind = RuleKind.IMPROVEMENT_COMPLETION


RULE_FORMS: dict[str, type[RuleForm]] = {
    form.kind: form for form in (SubmittedOnTimeForm, AcceptedForm, ImprovementForm, LevelReachedForm, RecognisedForm)
}

# What the officer reads when choosing a kind, and above its form.
RULE_HELP = {
    RuleKind.SA_SUBMITTED_ON_TIME: "Ngày nộp là ngày hiệu trưởng phê duyệt và nộp lần đầu. Nộp đến hết ngày hạn: đủ "
    "điểm; nộp sau hạn: điểm khi nộp muộn; chưa nộp: 0 điểm.",
    RuleKind.SA_ACCEPTED: "Đợt tự đánh giá của năm học đã được cơ quan quản lý chấp nhận: đủ điểm; chưa: 0 điểm.",
    RuleKind.IMPROVEMENT_COMPLETION: "Điểm × tỉ lệ số nội dung của kế hoạch cải tiến có trạng thái “Hoàn thành” tại lần "
    "rà soát gần nhất, làm tròn đến 0,1. Chưa lập kế hoạch: 0 điểm.",
    RuleKind.LEVEL_REACHED: "Theo mức của kết quả tự đánh giá đã được chấp nhận: đạt từ mức tối thiểu trở lên thì đủ "
    "điểm; hoặc mỗi mức đạt được tính một lần số điểm (Mức 3 × 2 điểm = 6 điểm).",
    RuleKind.RECOGNISED: "Có quyết định công nhận còn hiệu lực ngày 31/7 cuối năm học (chưa hết hạn, chưa bị thu hồi).",
}


class AdjustmentForm(Form):
    points = forms.CharField(label="Điểm điều chỉnh (âm để trừ điểm, 0 để bỏ điều chỉnh)", max_length=10)
    reason = forms.CharField(label="Lý do", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(Form):
    reason = forms.CharField(label="Lý do", required=False, widget=forms.Textarea(attrs={"rows": 2}))
