"""Forms of the oversight screens: they parse and check input; the services do the checks that need the database and
the writes."""

from django import forms

from kiemdinh.accounts.models import Membership, Role, User
from kiemdinh.core.forms import DATE_FORMATS, AccountChoiceField, Form, date_field, textarea
from kiemdinh.oversight.models import OfficerInCharge, SchoolLevel, Training, Visit, VisitKind
from kiemdinh.oversight.selectors import ancestor_paths
from kiemdinh.planning.models import AnnualPlan
from kiemdinh.units.models import AdministrativeUnit, School


def required_date(label: str, required_message: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": required_message,
            "invalid": f"{label}: hãy nhập ngày theo dạng ngày/tháng/năm, ví dụ 15/09/2025.",
        },
    )


class SchoolChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.code})"


class PlanChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        number = f"Số {obj.number}" if obj.number else "Kế hoạch"
        return f"{number} — {obj.issuer} ({obj.period})"


class VisitForm(Form):
    school = SchoolChoiceField(
        label="Trường",
        queryset=School.objects.none(),
        empty_label="— Chọn trường —",
        error_messages={
            "required": "Hãy chọn trường được kiểm tra, tư vấn.",
            "invalid_choice": "Trường đã chọn không thuộc đơn vị.",
        },
    )
    kind = forms.ChoiceField(
        label="Hình thức",
        choices=VisitKind.choices,
        error_messages={"required": "Hãy chọn hình thức.", "invalid_choice": "Hình thức không hợp lệ."},
    )
    visited_on = required_date("Ngày làm việc", "Hãy ghi ngày làm việc của đoàn.")
    plan = PlanChoiceField(
        label="Theo kế hoạch (nếu có)",
        queryset=AnnualPlan.objects.none(),
        required=False,
        empty_label="— Không gắn với kế hoạch —",
        error_messages={"invalid_choice": "Kế hoạch đã chọn không thuộc đơn vị hoặc cấp trên."},
    )
    members = textarea("Thành phần đoàn (mỗi dòng một người: họ tên – chức vụ)", rows=4)
    findings = textarea("Nhận xét, kết luận của đoàn", rows=6)

    def __init__(self, *args, unit: AdministrativeUnit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = School.objects.within(unit).order_by("name")
        self.fields["plan"].queryset = AnnualPlan.objects.filter(unit__path__in=ancestor_paths(unit.path)).order_by(
            "-period", "-issued_on", "-id"
        )

    @staticmethod
    def initial_for(visit: Visit) -> dict:
        return {
            "school": visit.school_id,
            "kind": visit.kind,
            "visited_on": visit.visited_on,
            "plan": visit.plan_id,
            "members": visit.members,
            "findings": visit.findings,
        }


class ActionForm(Form):
    content = forms.CharField(
        label="Việc cần thực hiện",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Hãy ghi nội dung việc cần thực hiện."},
    )
    responsible = forms.CharField(label="Người, bộ phận thực hiện", required=False, max_length=200)
    due_on = date_field("Hạn hoàn thành")


class ActionDoneForm(Form):
    done_on = date_field("Ngày hoàn thành (để trống: hôm nay)")
    note = textarea("Kết quả thực hiện", rows=2)


class OfficerForm(Form):
    school_level = forms.ChoiceField(
        label="Phụ trách cấp học",
        choices=SchoolLevel.choices,
        error_messages={"required": "Hãy chọn cấp học phụ trách.", "invalid_choice": "Cấp học không hợp lệ."},
    )
    full_name = forms.CharField(
        label="Họ và tên", max_length=200, error_messages={"required": "Hãy ghi họ và tên cán bộ phụ trách."}
    )
    title = forms.CharField(label="Chức vụ", required=False, max_length=200)
    phone = forms.CharField(label="Điện thoại", required=False, max_length=40)
    email = forms.CharField(label="Thư điện tử", required=False, max_length=200)
    user = AccountChoiceField(
        label="Tài khoản trong hệ thống (nếu có)",
        queryset=User.objects.none(),
        required=False,
        empty_label="— Không liên kết —",
        error_messages={"invalid_choice": "Tài khoản đã chọn không phải cán bộ của đơn vị hoặc cấp trên."},
    )

    def __init__(self, *args, unit: AdministrativeUnit, **kwargs):
        super().__init__(*args, **kwargs)
        officer_ids = Membership.objects.active().filter(role=Role.OFFICER, unit__path__in=ancestor_paths(unit.path))
        self.fields["user"].queryset = User.objects.filter(pk__in=officer_ids.values("user_id")).order_by(
            "full_name", "username"
        )

    @staticmethod
    def initial_for(officer: OfficerInCharge) -> dict:
        return {
            "school_level": officer.school_level,
            "full_name": officer.full_name,
            "title": officer.title,
            "phone": officer.phone,
            "email": officer.email,
            "user": officer.user_id,
        }


class TrainingForm(Form):
    title = forms.CharField(
        label="Nội dung tập huấn",
        max_length=300,
        error_messages={"required": "Hãy ghi nội dung tập huấn."},
    )
    starts_on = required_date("Từ ngày", "Hãy ghi ngày tập huấn.")
    ends_on = date_field("Đến ngày (nếu nhiều ngày)")
    organiser = forms.CharField(label="Đơn vị, người tổ chức", required=False, max_length=200)
    location = forms.CharField(label="Địa điểm", required=False, max_length=300)
    audience = textarea("Đối tượng tham dự", rows=2)
    notes = textarea("Ghi chú", rows=3)

    @staticmethod
    def initial_for(training: Training) -> dict:
        return {name: getattr(training, name) for name in TrainingForm.base_fields}


class ParticipantsForm(Form):
    text = forms.CharField(
        label="Danh sách (mỗi dòng một người: Họ tên – chức vụ – trường)",
        widget=forms.Textarea(
            attrs={"rows": 6, "placeholder": "Nguyễn Văn An – Hiệu trưởng – Trường Tiểu học An Bình"}
        ),
        error_messages={"required": "Hãy ghi ít nhất một người, mỗi dòng “Họ tên – chức vụ – trường”."},
    )
    attended = forms.BooleanField(label="Đã tham dự", required=False, initial=True)
