"""Forms of the external-evaluation screens; they only parse input, the rules live in the services."""

from django import forms

from kiemdinh.core.forms import Form, date_field, textarea
from kiemdinh.evaluation.models import MemberRole, SchoolLevelTaught
from kiemdinh.evaluation.services.teams import STAGE_ORDER, EvaluatorInput, TeamInput
from kiemdinh.evidence.models import CycleEvidence
from kiemdinh.frameworks.models import Criterion, Level4Item
from kiemdinh.recognition.models import RecognitionRound
from kiemdinh.units.models import AdministrativeUnit, School


class RegistrationForm(Form):
    wants_accreditation = forms.BooleanField(
        label="Đề nghị công nhận đạt kiểm định chất lượng giáo dục", required=False
    )
    wants_national_standard = forms.BooleanField(label="Đề nghị công nhận trường đạt chuẩn quốc gia", required=False)
    recognition_round = forms.ChoiceField(
        label="Lần công nhận",
        choices=[("", "— chọn —"), *RecognitionRound.choices],
        error_messages={"required": "Hãy chọn công nhận lần đầu hay công nhận lại."},
    )
    cohort_completed = forms.BooleanField(
        label="Trường đã có ít nhất một khóa học sinh (trẻ) hoàn thành chương trình", required=False
    )
    cohort_note = forms.CharField(
        label="Khóa đã hoàn thành chương trình",
        max_length=200,
        required=False,
        help_text="Ví dụ: khóa 2020-2025 hoàn thành chương trình tiểu học",
    )
    cohort_evidence = forms.ModelChoiceField(
        label="Minh chứng (trong danh mục minh chứng của đợt, nếu có)",
        queryset=CycleEvidence.objects.none(),
        required=False,
        empty_label="— không chọn —",
        error_messages={"invalid_choice": "Minh chứng này không có trong danh mục minh chứng của đợt."},
    )

    def __init__(self, *args, cycle=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["cohort_evidence"]
        field.queryset = (
            CycleEvidence.objects.filter(cycle=cycle, evidence__school_id=cycle.school_id)
            .select_related("version")
            .order_by("code")
        )
        field.label_from_instance = lambda link: f"{link.code} — {link.version.name[:120]}"

    def to_kwargs(self) -> dict:
        data = self.cleaned_data
        link = data["cohort_evidence"]
        return {
            "wants_accreditation": data["wants_accreditation"],
            "wants_national_standard": data["wants_national_standard"],
            "recognition_round": data["recognition_round"],
            "cohort_completed": data["cohort_completed"],
            "cohort_note": data["cohort_note"],
            "cohort_evidence": link.evidence if link else None,  # the item; its version is the cycle's
        }


class DecisionForm(Form):
    decision = forms.ChoiceField(
        choices=[("accept", "Chấp nhận"), ("return", "Trả lại")],
        error_messages={
            "required": "Hãy chọn chấp nhận hay trả lại.",
            "invalid_choice": "Hãy chọn chấp nhận hay trả lại.",
        },
    )
    comment = textarea("Ý kiến của cơ quan quản lý (bắt buộc khi trả lại)", rows=2, max_length=2000)


class TeamForm(Form):
    issuer = forms.CharField(
        label="Cơ quan ra quyết định",
        max_length=200,
        error_messages={"required": "Hãy ghi cơ quan ra quyết định thành lập đoàn."},
        help_text="Ví dụ: Sở Giáo dục và Đào tạo Tỉnh Thử Nghiệm",
    )
    decision_number = forms.CharField(
        label="Số quyết định thành lập đoàn", max_length=64, required=False, help_text="Ví dụ: 125/QĐ-SGDĐT"
    )
    decision_on = date_field("Ngày quyết định")
    signer_name = forms.CharField(label="Người ký", max_length=200, required=False)
    dossier_from = date_field("Nghiên cứu hồ sơ từ ngày")
    dossier_to = date_field("Nghiên cứu hồ sơ đến ngày")
    preliminary_on = date_field("Khảo sát sơ bộ")
    official_from = date_field("Khảo sát chính thức từ ngày")
    official_to = date_field("Khảo sát chính thức đến ngày")
    draft_report_on = date_field("Dự thảo báo cáo")
    feedback_until = date_field("Trường góp ý đến ngày")
    final_report_on = date_field("Báo cáo chính thức")
    ends_on = date_field("Kết thúc làm việc")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dossier_from"].help_text = "Từ ngày này thành viên đoàn xem được hồ sơ tự đánh giá của trường."
        self.fields["ends_on"].help_text = "Sau ngày này thành viên đoàn không còn xem được hồ sơ của trường."

    def to_input(self) -> TeamInput:
        return TeamInput(**self.cleaned_data)

    @classmethod
    def initial_from(cls, team) -> dict:
        names = ["issuer", "decision_number", "decision_on", "signer_name", *(n for n, _ in STAGE_ORDER)]
        return {name: getattr(team, name) for name in names}


class MemberAddForm(Form):
    evaluator = forms.ModelChoiceField(
        label="Đánh giá viên",
        queryset=None,
        empty_label="— chọn đánh giá viên —",
        error_messages={
            "required": "Hãy chọn đánh giá viên.",
            "invalid_choice": "Đánh giá viên này không có trong danh sách có thể phân công.",
        },
    )
    role = forms.ChoiceField(
        label="Nhiệm vụ trong đoàn",
        choices=MemberRole.choices,
        initial=MemberRole.MEMBER,
        error_messages={"invalid_choice": "Hãy chọn nhiệm vụ trong đoàn."},
    )
    namesake_note = textarea(
        "Xác nhận không phải cùng một người (chỉ khi họ tên trùng với người của trường)",
        rows=2,
        max_length=1000,
    )

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["evaluator"]
        field.queryset = candidates
        field.label_from_instance = lambda e: f"{e.full_name} — {e.school.name if e.school_id else e.unit.name}"


class AssignForm(Form):
    criteria = forms.ModelMultipleChoiceField(
        label="Tiêu chí",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Có tiêu chí không thuộc bộ tiêu chuẩn của đợt tự đánh giá."},
    )
    level4_items = forms.ModelMultipleChoiceField(
        label="Tiêu chí Mức 4",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Có tiêu chí Mức 4 không thuộc bộ tiêu chuẩn của đợt tự đánh giá."},
    )

    def __init__(self, *args, framework_id=None, member=None, holders=None, item_holders=None, **kwargs):
        super().__init__(*args, **kwargs)
        name = member.evaluator.full_name if member else ""

        def note(names) -> str:
            others = [n for n in names if n != name]
            if others:
                return " · đang giao: " + ", ".join(others)
            return "" if names else " · chưa ai phụ trách"

        holders, item_holders = holders or {}, item_holders or {}
        criteria, items = self.fields["criteria"], self.fields["level4_items"]
        criteria.queryset = Criterion.objects.filter(version_id=framework_id).order_by("position")
        criteria.label_from_instance = lambda c: f"{c.code}. {c.name}{note(holders.get(c.pk, []))}"
        items.queryset = Level4Item.objects.filter(version_id=framework_id).order_by("position")
        items.label_from_instance = lambda i: f"{i.code}. {i.text[:160]}{note(item_holders.get(i.pk, []))}"


class EvaluatorForm(Form):
    full_name = forms.CharField(
        label="Họ và tên", max_length=200, error_messages={"required": "Hãy ghi họ và tên đánh giá viên."}
    )
    title = forms.CharField(label="Chức vụ", max_length=200, required=False)
    unit = forms.ModelChoiceField(
        label="Đơn vị công tác",
        queryset=None,
        empty_label="— chọn đơn vị —",
        error_messages={
            "required": "Hãy chọn đơn vị công tác.",
            "invalid_choice": "Đơn vị này không thuộc phạm vi quản lý của bạn.",
        },
    )
    school = forms.ModelChoiceField(
        label="Trường công tác (nếu là giáo viên, cán bộ quản lý trường)",
        queryset=None,
        required=False,
        empty_label="— không —",
        error_messages={"invalid_choice": "Trường này không thuộc phạm vi quản lý của bạn."},
    )
    levels = forms.MultipleChoiceField(
        label="Cấp học được đánh giá",
        choices=SchoolLevelTaught.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Hãy chọn cấp học đánh giá viên được đánh giá."},
    )
    phone = forms.CharField(label="Điện thoại", max_length=40, required=False)
    email = forms.EmailField(
        label="Thư điện tử", required=False, error_messages={"invalid": "Địa chỉ thư điện tử không hợp lệ."}
    )
    certificate = forms.CharField(
        label="Chứng chỉ / quyết định công nhận đánh giá viên", max_length=200, required=False
    )
    certificate_on = date_field("Ngày cấp")
    training = textarea("Đào tạo, bồi dưỡng", rows=2)
    username = forms.CharField(
        label="Tài khoản đăng nhập (nếu có)",
        max_length=150,
        required=False,
        help_text=(
            "Tên đăng nhập của tài khoản (một người có vai trò trong đơn vị bạn quản lý); đánh giá viên dùng nó để xem "
            "hồ sơ các trường của đoàn mình."
        ),
    )
    is_active = forms.BooleanField(label="Còn hoạt động trong mạng lưới", required=False, initial=True)

    def __init__(self, *args, units=None, schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else AdministrativeUnit.objects.none()
        self.fields["school"].queryset = schools if schools is not None else School.objects.none()

    def to_input(self) -> EvaluatorInput:
        """The username goes to the service as typed: it alone looks the account up and answers the same for an
        unknown username and an account that cannot be linked (services.account_refusal)."""
        data = dict(self.cleaned_data)
        data["username"] = data["username"].strip()
        data["levels"] = tuple(data["levels"])
        return EvaluatorInput(**data)

    @staticmethod
    def initial_from(evaluator) -> dict:
        return {
            "full_name": evaluator.full_name,
            "title": evaluator.title,
            "unit": evaluator.unit_id,
            "school": evaluator.school_id,
            "levels": evaluator.level_list,
            "phone": evaluator.phone,
            "email": evaluator.email,
            "certificate": evaluator.certificate,
            "certificate_on": evaluator.certificate_on,
            "training": evaluator.training,
            "username": evaluator.user.username if evaluator.user_id else "",
            "is_active": evaluator.is_active,
        }


# --- Issuing decisions from the team's result, publishing it -----------------------------------------------------


class IssueForm(Form):
    """Number, date and signer of each decision the team's result gives (kinds: "accreditation", "national")."""

    decided_on = date_field("Ngày ký")
    number_accreditation = forms.CharField(label="Số quyết định (kiểm định)", max_length=64, required=False)
    signer_accreditation = forms.CharField(label="Người ký (kiểm định)", max_length=200, required=False)
    issuer_accreditation = forms.CharField(label="Cơ quan ban hành (kiểm định)", max_length=200, required=False)
    number_national = forms.CharField(label="Số quyết định (chuẩn quốc gia)", max_length=64, required=False)
    decided_on_national = date_field("Ngày ký (chuẩn quốc gia), nếu khác")
    signer_national = forms.CharField(label="Người ký (chuẩn quốc gia)", max_length=200, required=False)
    issuer_national = forms.CharField(label="Cơ quan ban hành (chuẩn quốc gia)", max_length=200, required=False)
    published = forms.BooleanField(label="Công khai trên trang kết quả", required=False, initial=True)
    confirm = forms.BooleanField(
        label="Tôi đã kiểm tra số, ngày và người ký; xác nhận ban hành các quyết định trên.",
        error_messages={"required": "Hãy đánh dấu xác nhận ban hành."},
    )

    def __init__(self, *args, planned=(), **kwargs):
        super().__init__(*args, **kwargs)
        fields = {p.field for p in planned}
        for kind in ("accreditation", "national"):
            if kind not in fields:
                for name in [n for n in self.fields if n.endswith(f"_{kind}")]:
                    del self.fields[name]
        for p in planned:
            self.fields[f"issuer_{p.field}"].widget.attrs["placeholder"] = p.issuer
            self.fields[f"issuer_{p.field}"].help_text = f"Trống: {p.issuer}."
            committee = p.issuer.startswith("Ủy ban")
            self.fields[f"number_{p.field}"].widget.attrs["placeholder"] = "1234/QĐ-" + (
                "UBND" if committee else "SGDĐT"
            )
        if len(fields) < 2:
            self.fields.pop("decided_on_national", None)
        self.planned = tuple(planned)

    @property
    def sections(self) -> list[tuple]:
        """(planned decision, its bound fields) in the order the decisions are issued."""
        return [(p, [self[n] for n in self.fields if n.endswith(f"_{p.field}")]) for p in self.planned]


class PublicationForm(Form):
    summary = forms.CharField(
        label="Tóm tắt kết quả đánh giá ngoài được công khai",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Hãy ghi nội dung tóm tắt được công khai."},
    )
