"""Forms of the council, plan and nội hàm worksheet screens: they parse and check input; services do the writes."""

from django import forms

from kiemdinh.accounts.models import User
from kiemdinh.core.forms import AccountChoiceField, Form, NewAccountFields, date_field, textarea
from kiemdinh.selfassessment.council.constants import SEVEN_STEPS
from kiemdinh.selfassessment.council.selectors import AssignmentRow, school_accounts
from kiemdinh.selfassessment.models import CouncilRole, Cycle, WorkingGroup

SCOPE_TEXT_MAX = 10_000


class WorkingGroupForm(Form):
    name = forms.CharField(label="Tên nhóm", max_length=200, error_messages={"required": "Hãy nhập tên nhóm công tác."})
    note = textarea("Nhiệm vụ của nhóm", rows=2)


class GroupDeleteForm(Form):
    """Where a removed group's members and assignments go: another group, or nowhere (`detach`)."""

    move_to = forms.ModelChoiceField(
        label="Chuyển thành viên và tiêu chí sang nhóm",
        queryset=WorkingGroup.objects.none(),
        required=False,
        error_messages={"invalid_choice": "Nhóm được chọn để chuyển sang không còn trong hội đồng."},
    )
    detach = forms.BooleanField(required=False)

    def __init__(self, *args, group: WorkingGroup, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["move_to"].queryset = WorkingGroup.objects.filter(cycle_id=group.cycle_id).exclude(pk=group.pk)


class CouncilMemberForm(NewAccountFields):
    full_name = forms.CharField(label="Họ và tên", max_length=200, error_messages={"required": "Hãy nhập họ và tên."})
    job_title = forms.CharField(label="Chức vụ", max_length=200, required=False)
    role = forms.ChoiceField(
        label="Nhiệm vụ trong hội đồng",
        choices=CouncilRole.choices,
        initial=CouncilRole.MEMBER,
        error_messages={"invalid_choice": "Hãy chọn Chủ tịch, Phó Chủ tịch, Thư ký hoặc Ủy viên."},
    )
    user = AccountChoiceField(
        label="Tài khoản trong hệ thống",
        queryset=User.objects.none(),
        required=False,
        empty_label="— không gắn tài khoản —",
        error_messages={"invalid_choice": "Tài khoản được chọn không thuộc trường."},
    )
    group = forms.ModelChoiceField(
        label="Nhóm công tác",
        queryset=WorkingGroup.objects.none(),
        required=False,
        empty_label="— chưa vào nhóm —",
        error_messages={"invalid_choice": "Nhóm công tác được chọn không còn trong hội đồng."},
    )

    def __init__(self, *args, cycle: Cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = school_accounts(cycle)
        self.fields["group"].queryset = WorkingGroup.objects.filter(cycle=cycle)


class AssignmentsForm(Form):
    """The whole assignment table in one POST: for each row `g-<key>` (group id) and `m-<key>` (member id)."""

    def __init__(self, *args, rows: list[AssignmentRow], group_ids, member_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        group_choices = [("", "—")] + [(str(pk), str(pk)) for pk in group_ids]
        member_choices = [("", "—")] + [(str(pk), str(pk)) for pk in member_ids]
        for row in rows:
            self.fields[f"g-{row.key}"] = forms.TypedChoiceField(
                choices=group_choices,
                coerce=int,
                empty_value=None,
                required=False,
                error_messages={"invalid_choice": f"Nhóm công tác chọn cho {row.label} không còn trong hội đồng."},
            )
            self.fields[f"m-{row.key}"] = forms.TypedChoiceField(
                choices=member_choices,
                coerce=int,
                empty_value=None,
                required=False,
                error_messages={"invalid_choice": f"Thành viên chọn cho {row.label} không còn trong hội đồng."},
            )

    def assignments(self) -> tuple[dict, dict]:
        """({criterion id: (group id, member id)}, {Mức 4 item id: (group id, member id)}) of the rows posted."""
        criteria, items = {}, {}
        for row in self.rows:
            if f"g-{row.key}" not in self.data and f"m-{row.key}" not in self.data:
                continue  # a row not in the POST keeps its assignment
            value = (self.cleaned_data.get(f"g-{row.key}"), self.cleaned_data.get(f"m-{row.key}"))
            (criteria if row.kind == "criterion" else items)[row.target_id] = value
        return criteria, items


class CouncilDecisionForm(Form):
    number = forms.CharField(
        label="Số quyết định",
        max_length=64,
        error_messages={"required": "Hãy ghi số quyết định."},
        widget=forms.TextInput(attrs={"placeholder": "Ví dụ: 45/QĐ-TH"}),
    )
    issued_on = date_field("Ngày ký")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issued_on"].required = True
        self.fields["issued_on"].error_messages["required"] = "Hãy ghi ngày ký quyết định."


class PlanForm(Form):
    number = forms.CharField(label="Số kế hoạch", max_length=64, required=False)
    issued_on = date_field("Ngày ban hành")
    purpose = textarea("Mục đích tự đánh giá", rows=4)
    scope = textarea("Phạm vi tự đánh giá")
    tools = textarea("Công cụ đánh giá")
    resources = textarea("Nguồn lực (nhân lực, cơ sở vật chất, tài chính)", rows=4)
    hired_experts = textarea("Dự kiến thuê chuyên gia (nếu có)", rows=2)
    evidence_collection = textarea("Dự kiến các minh chứng cần thu thập", rows=4)


STEP_CHOICES = [("", "— không gắn bước —")] + [
    (str(n), f"Bước {n}. {title}") for n, title in enumerate(SEVEN_STEPS, start=1)
]


class PlanActivityForm(Form):
    step = forms.TypedChoiceField(
        label="Thuộc bước",
        choices=STEP_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "Bước phải là một trong bảy bước tự đánh giá (từ 1 đến 7)."},
    )
    title = forms.CharField(label="Hoạt động", max_length=500, error_messages={"required": "Hãy nhập tên hoạt động."})
    starts_on = date_field("Ngày bắt đầu")
    ends_on = date_field("Ngày kết thúc")
    owner = forms.CharField(label="Người/bộ phận thực hiện", max_length=300, required=False)
    note = textarea("Ghi chú", rows=2)

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error(
                "ends_on",
                f"Ngày kết thúc ({ends_on:%d/%m/%Y}) phải bằng hoặc sau ngày bắt đầu ({starts_on:%d/%m/%Y}).",
            )
        return data


class ScopeAnalysisForm(Form):
    meaning = textarea("Nội hàm", max_length=SCOPE_TEXT_MAX)
    questions = textarea("Câu hỏi đặt ra", max_length=SCOPE_TEXT_MAX)
    evidence_needed = textarea("Minh chứng cần thu thập", max_length=SCOPE_TEXT_MAX)
    sources = textarea("Nơi thu thập", max_length=SCOPE_TEXT_MAX)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["max_length"] = f"{field.label} dài quá {SCOPE_TEXT_MAX:,} ký tự.".replace(",", ".")


class CarryOverForm(Form):
    """Pick the earlier cycle of the same school to copy from."""

    source = forms.TypedChoiceField(
        label="Sao chép từ năm học",
        coerce=int,
        error_messages={
            "required": "Hãy chọn năm học để sao chép.",
            "invalid_choice": "Năm học được chọn không phải một đợt trước của trường.",
        },
    )

    def __init__(self, *args, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.sources = {c.pk: c for c in sources}
        self.fields["source"].choices = [(str(c.pk), c.school_year) for c in sources]

    def source_cycle(self):
        return self.sources[self.cleaned_data["source"]]
