"""Forms of the improvement plan screens: they parse and check input; the services do the writes."""

import re
from datetime import date, datetime

from django import forms

from kiemdinh.core.forms import DATE_FORMATS, AccountChoiceField, Form, NewAccountFields, date_field, textarea
from kiemdinh.frameworks.models import Criterion, Level4Item
from kiemdinh.improvement.models import LineStatus, MonitorRole, PlanLine, ReviewKind
from kiemdinh.selfassessment.council.selectors import school_accounts

_MONTH = re.compile(r"^\s*(?:(\d{4})-(\d{1,2})|(\d{1,2})/(\d{4}))\s*$")


class MonthField(forms.CharField):
    """A month as "2021-10" (the browser's month input) or "10/2021"; cleaned to the first day of that month."""

    def __init__(self, label: str, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(
            label=label, widget=forms.TextInput(attrs={"type": "month", "placeholder": "mm/yyyy"}), **kwargs
        )

    def prepare_value(self, value):
        return value.strftime("%Y-%m") if isinstance(value, date) else value

    def to_python(self, value):
        text = (value or "").strip()
        if not text:
            return None
        match = _MONTH.match(text)
        if match:
            year, month = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
            if 1 <= int(month) <= 12 and 1990 <= int(year) <= 2100:
                return date(int(year), int(month), 1)
        raise forms.ValidationError(f"{self.label}: hãy ghi tháng theo dạng tháng/năm, ví dụ 10/2021.")


def subject_choices(cycle) -> list[tuple[str, list[tuple[str, str]]]]:
    """The criteria (by standard) and Mức 4 items of the cycle's framework, as grouped <select> options."""
    groups: dict[str, list] = {}
    for c in (
        Criterion.objects.filter(version=cycle.framework)
        .select_related("standard")
        .order_by("standard__position", "position")
    ):
        groups.setdefault(f"Tiêu chuẩn {c.standard.code}", []).append((f"c:{c.pk}", f"Tiêu chí {c.code}. {c.name}"))
    items = sorted(Level4Item.objects.filter(version=cycle.framework), key=lambda i: (len(i.code), i.code))
    if items:
        groups["Mức 4"] = [(f"m:{i.pk}", f"Mức 4 — tiêu chí {i.code}. {i.text[:90]}") for i in items]
    return [("", "— Chọn tiêu chí —"), *groups.items()]


class LineForm(Form):
    subject = forms.ChoiceField(label="Tiêu chuẩn, tiêu chí", required=False)
    issue = forms.ChoiceField(label="Vấn đề ưu tiên", required=False)
    content = forms.CharField(label="Nội dung", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    target = forms.CharField(
        label="Kết quả cần đạt (so với hiện trạng)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    tasks = forms.CharField(
        label="Công việc, giải pháp cần thực hiện (mỗi dòng một việc)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    result_indicator = forms.CharField(label="Chỉ số kết quả", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    lead = forms.CharField(label="Chủ trì", required=False, max_length=300)
    collaborators = forms.CharField(label="Phối hợp", required=False, max_length=500)
    starts_on = MonthField("Bắt đầu (tháng/năm)")
    due_on = MonthField("Hoàn thành (tháng/năm)")
    continues = forms.BooleanField(label="Tiếp tục trong các năm học sau", required=False)
    time_text = forms.CharField(
        label="Cách ghi thời gian trong văn bản (để trống: ghi theo các tháng ở trên)", required=False, max_length=300
    )
    cost_million = forms.CharField(label="Dự kiến kinh phí (triệu đồng)", required=False, max_length=30)
    funding = forms.CharField(
        label="Nguồn kinh phí hoặc ghi chú kinh phí (ví dụ: Không; nguồn chi thường xuyên và xã hội hóa)",
        required=False,
        max_length=300,
    )
    expected_evidence = forms.CharField(
        label="Minh chứng dự kiến", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    support = forms.CharField(label="Điều kiện hỗ trợ khác", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    notes = forms.CharField(label="Ghi chú", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(
        label="Lý do điều chỉnh (kế hoạch đã ban hành)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    # The line's updated_at when the page was opened (optimistic locking, see services.line_update).
    base_updated_at = forms.CharField(required=False, widget=forms.HiddenInput)

    TT57_ONLY = ("issue", "content", "result_indicator", "expected_evidence")

    def __init__(self, *args, cycle, plan, tt57: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.tt57 = tt57
        if tt57:
            del self.fields["subject"]
            self.fields["issue"].choices = [("", "— Chọn vấn đề ưu tiên —")] + [
                (str(i.pk), f"Tiêu chí {i.criterion.code}: {i.limitation[:90]}")
                for i in plan.issues.select_related("criterion")
            ]
            self.fields["target"].label = "Mục tiêu"
            self.fields["tasks"].label = "Giải pháp (mỗi dòng một giải pháp)"
            self.fields["lead"].label = "Người phụ trách"
            self.fields["funding"].label = "Nguồn lực"
        else:
            for name in self.TT57_ONLY:
                del self.fields[name]
            self.fields["subject"].choices = subject_choices(cycle)
        if not plan.is_issued:
            del self.fields["reason"]
        self.cycle = cycle
        self.plan = plan

    @staticmethod
    def initial_for(line: PlanLine, tt57: bool) -> dict:
        values = {
            name: getattr(line, name) for name in ("content", "target", "result_indicator", "lead", "collaborators")
        }
        values.update(
            tasks="\n".join(line.tasks),
            starts_on=line.starts_on,
            due_on=line.due_on,
            continues=line.continues,
            time_text=line.time_text,
            cost_million="" if line.cost_million is None else str(line.cost_million).replace(".", ","),
            funding=line.funding,
            expected_evidence=line.expected_evidence,
            support=line.support,
            notes=line.notes,
        )
        if tt57:
            values["issue"] = str(line.issue_id or "")
        else:
            values["subject"] = f"c:{line.criterion_id}" if line.criterion_id else f"m:{line.level4_item_id}"
        values["base_updated_at"] = line.updated_at.isoformat()
        return values

    def clean_base_updated_at(self):
        text = (self.cleaned_data.get("base_updated_at") or "").strip()
        if not text:
            return None
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            # A hidden field: its error is shown above the form.
            self.add_error(None, "Trang sửa dòng đã cũ; hãy mở lại dòng kế hoạch.")
            return None

    def subject_kwargs(self) -> dict:
        """criterion / level4_item / issue for the service, from the chosen option."""
        if self.tt57:
            issue_id = self.cleaned_data.get("issue")
            issue = self.plan.issues.filter(pk=issue_id).first() if issue_id else None
            return {"issue": issue}
        value = self.cleaned_data.get("subject") or ""
        kind, _, pk = value.partition(":")
        if kind == "c" and pk.isdigit():
            return {"criterion": Criterion.objects.filter(pk=pk).first(), "level4_item": None}
        if kind == "m" and pk.isdigit():
            return {"criterion": None, "level4_item": Level4Item.objects.filter(pk=pk).first()}
        return {"criterion": None, "level4_item": None}

    def line_values(self) -> dict:
        names = [
            "target",
            "tasks",
            "lead",
            "collaborators",
            "starts_on",
            "due_on",
            "continues",
            "time_text",
            "cost_million",
            "funding",
            "support",
            "notes",
        ]
        if self.tt57:
            names += ["content", "result_indicator", "expected_evidence"]
        return {name: self.cleaned_data.get(name) for name in names}


class IssueForm(Form):
    criterion = forms.ChoiceField(label="Tiêu chí")
    current_state = forms.CharField(label="Hiện trạng", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    limitation = forms.CharField(label="Hạn chế", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    cause = forms.CharField(label="Nguyên nhân", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(
        label="Lý do điều chỉnh (kế hoạch đã ban hành)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, cycle, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].choices = [("", "— Chọn tiêu chí —")] + [
            (str(c.pk), f"Tiêu chí {c.code}. {c.name}")
            for c in Criterion.objects.filter(version=cycle.framework).order_by("standard__position", "position")
        ]
        self.fields["criterion"].error_messages["required"] = "Hãy chọn tiêu chí."
        if not plan.is_issued:
            del self.fields["reason"]

    def chosen_criterion(self):
        return Criterion.objects.filter(pk=self.cleaned_data["criterion"]).first()


class PlanHeaderForm(Form):
    number = forms.CharField(label="Số kế hoạch (ví dụ 17/KH-TrTH)", required=False, max_length=60)
    place = forms.CharField(label="Địa danh", required=False, max_length=120)
    issued_on = date_field("Ngày ban hành")
    purpose = textarea("I. Mục đích, yêu cầu", rows=4)
    bases = textarea("II. Căn cứ xây dựng kế hoạch", rows=4)
    organisation = textarea("Tổ chức thực hiện", rows=5)
    recipients = textarea("Nơi nhận", rows=2)
    signer_title = forms.CharField(label="Chức danh người ký", required=False, max_length=120)
    signer_name = forms.CharField(label="Người ký", required=False, max_length=200)
    report_number = forms.CharField(
        label="Số báo cáo kết quả giám sát (ví dụ 25/BC-TrTH)", required=False, max_length=60
    )


class CoverageNoteForm(Form):
    subject = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Lý do không lập dòng kế hoạch",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Hãy ghi lý do không lập dòng kế hoạch cho điểm yếu này."},
    )


class ReasonForm(Form):
    reason = forms.CharField(
        label="Lý do", widget=forms.Textarea(attrs={"rows": 2}), error_messages={"required": "Hãy ghi lý do."}
    )


class MonitorForm(NewAccountFields):
    full_name = forms.CharField(label="Họ và tên", required=False, max_length=200)
    job_title = forms.CharField(label="Chức vụ", required=False, max_length=200)
    role = forms.ChoiceField(label="Nhiệm vụ", choices=MonitorRole.choices, initial=MonitorRole.MEMBER)
    user = AccountChoiceField(
        label="Tài khoản (để ghi kết quả giám sát)", queryset=None, required=False, empty_label="— Không liên kết —"
    )

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = school_accounts(cycle)


class ReviewScheduleForm(Form):
    kind = forms.ChoiceField(label="Loại", choices=ReviewKind.choices, initial=ReviewKind.OTHER)
    title = forms.CharField(label="Tên đợt (để trống: theo loại và tháng)", required=False, max_length=200)
    scheduled_on = forms.DateField(
        label="Ngày dự kiến",
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Hãy chọn ngày rà soát.",
            "invalid": "Ngày dự kiến: hãy nhập theo dạng ngày/tháng/năm, ví dụ 15/01/2022.",
        },
    )


class ReviewForm(Form):
    """A review's result: the date and summary, and per line status, progress, adjustment, a new completion month,
    evidence codes of the cycle and new files."""

    held_on = forms.DateField(
        label="Ngày thực hiện rà soát",
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Hãy ghi ngày thực hiện rà soát.",
            "invalid": "Ngày thực hiện: hãy nhập theo dạng ngày/tháng/năm.",
        },
    )
    summary = textarea("Nhận xét chung, kiến nghị", rows=3)

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            p = f"l{line.pk}_"
            self.fields[p + "status"] = forms.ChoiceField(label="Trạng thái", choices=LineStatus.choices)
            self.fields[p + "progress"] = textarea("Kết quả thực hiện", rows=2)
            self.fields[p + "adjustment"] = textarea("Điều chỉnh (nếu có)", rows=2)
            self.fields[p + "due"] = MonthField("Tháng hoàn thành mới (nếu điều chỉnh)")
            self.fields[p + "codes"] = forms.CharField(
                label="Mã minh chứng đã có (ví dụ [H1-1.6-02])", required=False, max_length=2000
            )

    def rows(self):
        """(line, bound fields) for the template."""
        for line in self.lines:
            p = f"l{line.pk}_"
            yield line, {name: self[p + name] for name in ("status", "due", "codes", "progress", "adjustment")}
