"""Forms of the team's work; each turns its cleaned data into the input of a work service."""

from django import forms

from kiemdinh.core.forms import Form, textarea
from kiemdinh.evaluation.services import work as ws
from kiemdinh.frameworks.models import Criterion

ACHIEVED_CHOICES = [("", "— chưa đề xuất —"), ("1", "Đạt"), ("0", "Không đạt")]


def level_choices(max_level: int, empty: str) -> list[tuple[str, str]]:
    return [("", empty), ("0", "Chưa đạt Mức 1")] + [(str(k), f"Mức {k}") for k in range(1, max_level + 1)]


def _optional_int(value: str) -> int | None:
    return int(value) if value not in ("", None) else None


def _optional_bool(value: str) -> bool | None:
    return None if value in ("", None) else value == "1"


class ReviewForm(Form):
    """A member's review of one criterion (proposed level) or Mức 4 item (achieved or not)."""

    description_comments = textarea("1. Nhận xét phần mô tả hiện trạng của nhà trường", rows=4)
    strengths = textarea("2. Điểm mạnh", rows=3)
    weaknesses = textarea("3. Điểm yếu", rows=3)
    evidence_problems = textarea("4. Những vấn đề về minh chứng (thiếu, không phù hợp, cần kiểm tra)", rows=3)
    recommendations = textarea("5. Khuyến nghị", rows=3)
    proposed = forms.ChoiceField(label="6. Mức đề xuất", required=False)

    def __init__(self, *args, criterion=None, item=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.level4 = criterion is None
        if self.level4:
            self.fields["proposed"].label = "6. Đề xuất (tiêu chí Mức 4)"
            self.fields["proposed"].choices = ACHIEVED_CHOICES
        else:
            self.fields["proposed"].choices = level_choices(criterion.max_level, "— chưa đề xuất —")

    @classmethod
    def initial_of(cls, review) -> dict:
        if review is None:
            return {}
        values = {name: getattr(review, name) for name in ws.REVIEW_TEXTS}
        if review.criterion_id:
            values["proposed"] = "" if review.proposed_level is None else str(review.proposed_level)
        else:
            values["proposed"] = "" if review.level4_achieved is None else ("1" if review.level4_achieved else "0")
        return values

    def to_input(self) -> ws.ReviewInput:
        data = self.cleaned_data
        texts = {name: data[name] for name in ws.REVIEW_TEXTS}
        if self.level4:
            return ws.ReviewInput(**texts, level4_achieved=_optional_bool(data["proposed"]))
        return ws.ReviewInput(**texts, proposed_level=_optional_int(data["proposed"]))


class RatingForm(Form):
    """The agreed level of one criterion (or whether a Mức 4 item is met), with the team's note."""

    value = forms.ChoiceField(label="Mức đoàn thống nhất", error_messages={"required": "Hãy chọn mức đoàn thống nhất."})
    note = forms.CharField(
        label="Ghi chú của đoàn",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Ghi chú của đoàn (nếu có)"}),
    )

    def __init__(self, *args, row, **kwargs):
        super().__init__(*args, **kwargs)
        self.row = row
        if row.criterion is not None:
            self.fields["value"].choices = level_choices(row.criterion.max_level, "— chọn mức —")
        else:
            self.fields["value"].choices = [("", "— chọn —"), ("1", "Đạt"), ("0", "Không đạt")]

    def service_kwargs(self) -> dict:
        value = self.cleaned_data["value"]
        note = self.cleaned_data["note"]
        if self.row.criterion is not None:
            return {"criterion": self.row.criterion, "level": int(value), "note": note}
        return {"level4_item": self.row.item, "achieved": value == "1", "note": note}


class ReportForm(Form):
    introduction = textarea("Phần I — Giới thiệu (mở đầu)", rows=6)
    overview = textarea("Tóm tắt kết quả đánh giá", rows=8)
    conclusions = textarea("Phần III — Kết luận (điểm mạnh, điểm yếu cơ bản)", rows=10)
    recommendations = textarea("Kiến nghị (đối với nhà trường, đề nghị công nhận)", rows=8)

    def to_input(self) -> ws.ReportInput:
        return ws.ReportInput(**{name: self.cleaned_data[name] for name in ws.REPORT_PARTS})


class FeedbackForm(Form):
    """The school's answer to the draft, on one criterion or in general."""

    criterion = forms.ModelChoiceField(
        label="Về tiêu chí", queryset=None, required=False, empty_label="Ý kiến chung về báo cáo"
    )
    text = textarea(
        "Ý kiến của nhà trường",
        rows=4,
        help_text="Ý kiến đã gửi được lưu lại nguyên văn và không sửa được.",
    )

    def __init__(self, *args, framework, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["criterion"].queryset = Criterion.objects.filter(version=framework).order_by("position")
        self.fields["criterion"].label_from_instance = lambda c: f"Tiêu chí {c.code}: {c.name}"


class ReplyForm(Form):
    reply = textarea("Ý kiến trả lời của đoàn", rows=3)
