"""Forms of the planning screens; they only parse input; rules live in the services."""

from django import forms

from kiemdinh.core.forms import Form, date_field, textarea
from kiemdinh.planning.models import GoalMeasure, GoalMetric, GoalScope, PlanKind, ReportKind, TaskStatus
from kiemdinh.planning.services import GoalInput, PlanInput, ReportInput, TargetInput, TaskInput
from kiemdinh.recognition.models import RecognitionRound
from kiemdinh.units.models import School, SchoolType

GRADE_CHOICES = [("", "—"), *((str(i), f"Cấp độ {i} (CĐ{i})") for i in range(1, 5))]
LEVEL_CHOICES = [("", "—"), ("1", "Mức độ 1 (MĐ1)"), ("2", "Mức độ 2 (MĐ2)")]
ROUND_CHOICES = [("", "—"), *RecognitionRound.choices]


def _int_or_none(value):
    return int(value) if value not in (None, "") else None


class PlanForm(Form):
    kind = forms.ChoiceField(label="Loại kế hoạch", choices=PlanKind.choices)
    period = forms.CharField(
        label="Năm / năm học / giai đoạn",
        max_length=20,
        help_text="Ví dụ: 2024 (kế hoạch năm), 2019-2020 (năm học), 2021-2025 (lộ trình).",
        error_messages={"required": "Hãy ghi năm, năm học hoặc giai đoạn của kế hoạch."},
    )
    title = forms.CharField(
        label="Trích yếu",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Hãy ghi trích yếu của kế hoạch."},
    )
    issuer_parent = forms.CharField(label="Cơ quan chủ quản (dòng trên, nếu có)", max_length=200, required=False)
    issuer = forms.CharField(
        label="Cơ quan ban hành", max_length=200, required=False, help_text="Để trống: lấy tên cơ quan của đơn vị."
    )
    number = forms.CharField(label="Số kế hoạch", max_length=64, required=False, help_text="Ví dụ: 20/KH-UBND")
    issued_on = date_field("Ngày ban hành")
    place = forms.CharField(label="Địa danh", max_length=100, required=False, help_text="Ví dụ: Hương Trà")
    preamble = textarea("Căn cứ, lời dẫn (mỗi đoạn một dòng)", rows=5)
    purpose = textarea("I.1. Mục đích", rows=4)
    requirements = textarea("I.2. Yêu cầu", rows=4)
    closing = textarea("Đoạn kết (Trên đây là kế hoạch…)", rows=2)
    recipients = textarea("Nơi nhận (mỗi nơi một dòng)", rows=5)
    signer_title = forms.CharField(
        label="Chức vụ người ký",
        max_length=200,
        required=False,
        help_text="Các dòng cách nhau bởi “ / ”, ví dụ: KT. CHỦ TỊCH / PHÓ CHỦ TỊCH",
    )
    signer_name = forms.CharField(label="Người ký", max_length=200, required=False)
    report_every_months = forms.IntegerField(
        label="Báo cáo định kỳ (tháng/lần)",
        required=False,
        min_value=1,
        max_value=12,
        error_messages={"min_value": "Kỳ báo cáo từ 1 đến 12 tháng.", "max_value": "Kỳ báo cáo từ 1 đến 12 tháng."},
    )

    @classmethod
    def initial_from(cls, plan) -> dict:
        return {name: getattr(plan, name) for name in cls.base_fields}

    def to_input(self) -> PlanInput:
        return PlanInput(**self.cleaned_data)


class SectionForm(Form):
    heading = forms.CharField(
        label="Tiêu đề mục (không ghi số La Mã)",
        max_length=300,
        error_messages={"required": "Hãy ghi tiêu đề của mục."},
        help_text="Ví dụ: MỤC TIÊU, CHỈ TIÊU — số II, III… được đánh tự động theo thứ tự.",
    )
    body = textarea("Nội dung (mỗi đoạn một dòng)", rows=12)


class TargetForm(Form):
    school = forms.ModelChoiceField(
        label="Cơ sở giáo dục",
        queryset=School.objects.none(),
        error_messages={"required": "Hãy chọn trường.", "invalid_choice": "Trường này không thuộc đơn vị."},
    )
    accreditation_grade = forms.ChoiceField(label="Cấp độ KĐCLGD", choices=GRADE_CHOICES, required=False)
    national_standard_level = forms.ChoiceField(label="Mức độ chuẩn quốc gia", choices=LEVEL_CHOICES, required=False)
    external_evaluation = forms.BooleanField(label="Đánh giá ngoài", required=False, initial=True)
    recognition_round = forms.ChoiceField(label="Lần công nhận", choices=ROUND_CHOICES, required=False)
    evaluation_period = forms.CharField(
        label="Thời gian đánh giá ngoài dự kiến", max_length=100, required=False, help_text="Ví dụ: quý III/2024"
    )
    note = forms.CharField(label="Ghi chú", max_length=300, required=False)

    def __init__(self, *args, schools=None, shown=None, editing=False, **kwargs):
        """schools: every school that may be added (validation); shown: the ones offered in the list, when the unit
        has too many for one drop-down (the page then searches first)."""
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["school"]
            return
        field = self.fields["school"]
        field.queryset = schools
        if shown is not None:
            field.widget.choices = [("", field.empty_label), *((s.pk, str(s)) for s in shown)]

    def to_input(self, reason: str = "") -> TargetInput:
        data = self.cleaned_data
        return TargetInput(
            accreditation_grade=_int_or_none(data["accreditation_grade"]),
            national_standard_level=_int_or_none(data["national_standard_level"]),
            external_evaluation=data["external_evaluation"],
            recognition_round=data["recognition_round"],
            evaluation_period=data["evaluation_period"],
            note=data["note"],
            reason=reason,
        )

    @staticmethod
    def initial_from(target) -> dict:
        return {
            "accreditation_grade": target.accreditation_grade or "",
            "national_standard_level": target.national_standard_level or "",
            "external_evaluation": target.external_evaluation,
            "recognition_round": target.recognition_round,
            "evaluation_period": target.evaluation_period,
            "note": target.note,
        }


class ReasonForm(Form):
    reason = forms.CharField(
        label="Lý do", max_length=300, error_messages={"required": "Hãy ghi lý do."}, widget=forms.TextInput()
    )


class GoalForm(Form):
    text = forms.CharField(
        label="Chỉ tiêu (ghi như trong kế hoạch)",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Hãy ghi chỉ tiêu như trong kế hoạch."},
    )
    metric = forms.ChoiceField(label="Đo bằng", choices=GoalMetric.choices)
    scope = forms.ChoiceField(label="Tính trên", choices=GoalScope.choices)
    school_types = forms.MultipleChoiceField(
        label="Loại trường (bỏ trống: mọi loại)",
        choices=SchoolType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    measure = forms.ChoiceField(label="Chỉ tiêu tính theo", choices=GoalMeasure.choices)
    target_value = forms.DecimalField(
        label="Giá trị chỉ tiêu",
        max_digits=6,
        decimal_places=2,
        localize=True,
        error_messages={"required": "Hãy ghi giá trị chỉ tiêu.", "invalid": "Giá trị chỉ tiêu phải là một số."},
    )
    level = forms.IntegerField(
        label="Cấp độ / mức độ tối thiểu", required=False, help_text="Chỉ cho chỉ tiêu công nhận; trống: bất kỳ."
    )
    school_year = forms.CharField(
        label="Năm học tự đánh giá",
        max_length=9,
        required=False,
        help_text="Chỉ cho chỉ tiêu tự đánh giá, ví dụ 2023-2024",
    )
    deadline = date_field("Hạn (trống: hết thời gian kế hoạch)")

    def to_input(self) -> GoalInput:
        data = dict(self.cleaned_data)
        data["school_types"] = tuple(data["school_types"])
        return GoalInput(**data)

    @staticmethod
    def initial_from(goal) -> dict:
        return {
            "text": goal.text,
            "metric": goal.metric,
            "scope": goal.scope,
            "school_types": goal.type_list,
            "measure": goal.measure,
            "target_value": goal.target_value.normalize(),
            "level": goal.level,
            "school_year": goal.school_year,
            "deadline": goal.deadline,
        }


class TaskForm(Form):
    agency = forms.CharField(
        label="Cơ quan, đơn vị chủ trì",
        max_length=300,
        error_messages={"required": "Hãy ghi cơ quan, đơn vị thực hiện."},
        help_text="Ví dụ: Phòng Tài nguyên và Môi trường; UBND xã Bảo Lâm; Trường Mầm non xã Thụy Hùng",
    )
    lead_official = forms.CharField(label="Lãnh đạo phụ trách", max_length=300, required=False)
    cooperating = textarea("Đơn vị phối hợp", rows=2)
    content = forms.CharField(
        label="Nội dung nhiệm vụ",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Hãy ghi nội dung nhiệm vụ."},
    )
    deadline = forms.CharField(
        label="Thời hạn",
        max_length=60,
        required=False,
        help_text="Một ngày (20/01/2024), một tháng (tháng 12/2023) hoặc một quý (quý II năm 2024).",
    )
    school = forms.ModelChoiceField(
        label="Giao cho trường (nếu nhiệm vụ của một trường)",
        queryset=School.objects.none(),
        required=False,
        error_messages={"invalid_choice": "Trường này không thuộc đơn vị."},
    )

    def __init__(self, *args, schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools if schools is not None else School.objects.none()

    def to_input(self) -> TaskInput:
        return TaskInput(**self.cleaned_data)

    @staticmethod
    def initial_from(task) -> dict:
        return {
            "agency": task.agency,
            "lead_official": task.lead_official,
            "cooperating": task.cooperating,
            "content": task.content,
            "deadline": task.deadline_label,
            "school": task.school_id,
        }


class TaskReportForm(Form):
    status = forms.ChoiceField(label="Trạng thái", choices=TaskStatus.choices)
    note = forms.CharField(
        label="Kết quả, tiến độ, khó khăn",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Hãy ghi kết quả, tiến độ hoặc khó khăn."},
    )
    file = forms.FileField(label="Văn bản minh chứng (nếu có)", required=False)


class ReportForm(Form):
    kind = forms.ChoiceField(label="Loại báo cáo", choices=ReportKind.choices)
    number = forms.CharField(label="Số", max_length=64, required=False, help_text="Ví dụ: 45/BC-PGDĐT")
    period_label = forms.CharField(
        label="Kỳ báo cáo", max_length=100, required=False, help_text="Ví dụ: quý I năm 2024"
    )
    reported_on = date_field("Ngày báo cáo")
    title = forms.CharField(
        label="Trích yếu", max_length=300, error_messages={"required": "Hãy ghi trích yếu của báo cáo."}
    )
    body = forms.CharField(
        label="Nội dung (mỗi đoạn một dòng)",
        widget=forms.Textarea(attrs={"rows": 18}),
        error_messages={"required": "Báo cáo chưa có nội dung."},
    )
    recipients = textarea("Nơi nhận (mỗi nơi một dòng)", rows=3)

    def to_input(self) -> ReportInput:
        return ReportInput(**self.cleaned_data)
