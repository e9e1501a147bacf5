"""The quality-improvement plan (kế hoạch cải tiến chất lượng) of a cycle and its monitoring (giám sát).

2018 regime: the table of the Thanh Chấn seed — lines grouped "Mức 1, 2, 3" by standard and criterion, then "Mức 4" by
Mức 4 item. TT57 (Biểu 2 Phụ lục V): priority issues (mục IV: hiện trạng, hạn chế, nguyên nhân) and actions for them
(mục V). Both kinds of action are `PlanLine` rows; TT57-only columns stay blank in 2018 plans.

A line's `status` is the status given at its latest review (set only by the review service); every change of a line
is kept by django-simple-history, with the reason when the plan was already issued.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Dự thảo"
    ISSUED = "issued", "Đã ban hành"


class LineStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Chưa bắt đầu"
    IN_PROGRESS = "in_progress", "Đang thực hiện"
    DONE = "done", "Hoàn thành"
    LATE = "late", "Chậm tiến độ"
    ADJUSTED = "adjusted", "Điều chỉnh"


# Biểu 2 mục V, column "Mức độ thực hiện (Hoàn thành / Đang thực hiện / Chưa hoàn thành)".
TT57_STATUS_LABEL = {
    LineStatus.DONE: "Hoàn thành",
    LineStatus.IN_PROGRESS: "Đang thực hiện",
    LineStatus.ADJUSTED: "Đang thực hiện",
    LineStatus.NOT_STARTED: "Chưa hoàn thành",
    LineStatus.LATE: "Chưa hoàn thành",
}


def subject_xor(prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(criterion__isnull=True) | Q(level4_item__isnull=True), name=f"{prefix}_criterion_or_level4"
    )


class ImprovementPlan(models.Model):
    cycle = models.OneToOneField(
        "selfassessment.Cycle", on_delete=models.CASCADE, related_name="improvement_plan", verbose_name="đợt"
    )
    number = models.CharField("số", max_length=60, blank=True)  # "17/KH-TrTH"
    place = models.CharField("địa danh", max_length=120, blank=True)  # "Thanh Chấn"
    issued_on = models.DateField("ngày ban hành", null=True, blank=True)
    purpose = models.TextField("mục đích, yêu cầu", blank=True)
    bases = models.TextField("căn cứ xây dựng kế hoạch", blank=True)
    organisation = models.TextField("tổ chức thực hiện", blank=True)
    recipients = models.TextField("nơi nhận", blank=True)
    signer_title = models.CharField("chức danh người ký", max_length=120, default="HIỆU TRƯỞNG")
    signer_name = models.CharField("người ký", max_length=200, blank=True)
    report_number = models.CharField("số báo cáo giám sát", max_length=60, blank=True)  # "25/BC-TrTH"
    status = models.CharField(max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "kế hoạch cải tiến chất lượng"
        verbose_name_plural = "kế hoạch cải tiến chất lượng"

    def __str__(self):
        return f"Kế hoạch cải tiến {self.cycle}"

    @property
    def is_issued(self) -> bool:
        return self.status == PlanStatus.ISSUED


class PriorityIssue(models.Model):
    """TT57 Biểu 2 mục IV: a priority issue of a criterion (hiện trạng, hạn chế, nguyên nhân)."""

    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="issues")
    criterion = models.ForeignKey("frameworks.Criterion", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    current_state = models.TextField("hiện trạng", blank=True)
    limitation = models.TextField("hạn chế")
    cause = models.TextField("nguyên nhân", blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "vấn đề ưu tiên cần cải tiến"
        verbose_name_plural = "vấn đề ưu tiên cần cải tiến"

    def __str__(self):
        return f"{self.plan_id}: {self.criterion_id} — {self.limitation[:40]}"


class PlanLine(models.Model):
    """One action of the plan (one row of the seed's table; one row of Biểu 2 mục V)."""

    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="lines")
    criterion = models.ForeignKey(
        "frameworks.Criterion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    level4_item = models.ForeignKey(
        "frameworks.Level4Item", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issue = models.ForeignKey(PriorityIssue, null=True, blank=True, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    content = models.TextField("nội dung", blank=True)  # TT57 "Nội dung"
    target = models.TextField("kết quả cần đạt (so với hiện trạng)")  # TT57 "Mục tiêu"
    tasks = models.JSONField("công việc, giải pháp cần thực hiện", default=list)  # one string per task
    result_indicator = models.TextField("chỉ số kết quả", blank=True)  # TT57
    expected_evidence = models.TextField("minh chứng dự kiến", blank=True)  # TT57
    lead = models.CharField("chủ trì", max_length=300)
    collaborators = models.CharField("phối hợp", max_length=500, blank=True)
    starts_on = models.DateField("bắt đầu (tháng)", null=True, blank=True)  # first day of the month
    due_on = models.DateField("hoàn thành (tháng)", null=True, blank=True)  # last day of the month
    continues = models.BooleanField("tiếp tục các năm học sau", default=False)
    time_text = models.CharField("thời gian ghi trong kế hoạch", max_length=300, blank=True)
    cost_million = models.DecimalField(
        "dự kiến kinh phí (triệu đồng)", max_digits=12, decimal_places=1, null=True, blank=True
    )
    funding = models.CharField("nguồn kinh phí", max_length=300, blank=True)
    support = models.TextField("điều kiện hỗ trợ khác", blank=True)
    notes = models.TextField("ghi chú", blank=True)
    status = models.CharField(max_length=16, choices=LineStatus.choices, default=LineStatus.NOT_STARTED)
    carried_from = models.ForeignKey(
        "self",
        verbose_name="chuyển tiếp từ",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="carried_to",
    )
    result_evidence = models.ForeignKey(
        "evidence.Evidence", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When the line was made: a line carried over to a later plan counts as followed there only from that moment
    # (a monitoring report dated before the carry-over still shows it late).
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        constraints = [subject_xor("plan_line")]
        verbose_name = "dòng kế hoạch cải tiến"
        verbose_name_plural = "dòng kế hoạch cải tiến"

    def __str__(self):
        return f"{self.plan_id}: {self.target[:50]}"

    @property
    def subject_label(self) -> str:
        """ "1.6", or "Mức 4 — tiêu chí 2" for a Mức 4 item."""
        return self.criterion.code if self.criterion_id else f"Mức 4 — tiêu chí {self.level4_item.code}"

    @property
    def owners(self) -> str:
        """The seed's "Chủ trì và phối hợp thực hiện" cell: "Hiệu trưởng - Kế toán"."""
        return f"{self.lead} - {self.collaborators}" if self.collaborators else self.lead

    @property
    def time_label(self) -> str:
        """The "Thời gian thực hiện và hoàn thành" cell: the text as written, else one built from the months."""
        if self.time_text:
            return self.time_text
        start, due = self.starts_on, self.due_on
        text = ""
        if start and due:
            text = f"Tháng {start.month}/{start.year} và hoàn thành tháng {due.month}/{due.year}"
        elif start:
            text = f"Từ tháng {start.month}/{start.year}"
        elif due:
            text = f"Hoàn thành tháng {due.month}/{due.year}"
        else:
            text = f"Trong năm học {self.plan.cycle.school_year}"
        if self.continues:
            text += " và các năm học tiếp theo"
        return text

    @property
    def cost_label(self) -> str:
        """The "Dự kiến kinh phí (triệu đồng)" cell: the amount, the funding text, or both."""
        parts = []
        if self.cost_million is not None:
            amount = f"{self.cost_million:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")
            parts.append(amount[:-2] if amount.endswith(",0") else amount)
        if self.funding:
            parts.append(self.funding)
        return " — ".join(parts)


class CoverageNote(models.Model):
    """Why a criterion (or Mức 4 item) whose form names a weakness has no line in the plan."""

    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="coverage_notes")
    criterion = models.ForeignKey(
        "frameworks.Criterion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    level4_item = models.ForeignKey(
        "frameworks.Level4Item", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField("lý do không lập dòng kế hoạch")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            subject_xor("coverage_note"),
            models.CheckConstraint(
                condition=Q(criterion__isnull=False) | Q(level4_item__isnull=False), name="coverage_note_has_subject"
            ),
            models.UniqueConstraint(fields=["plan", "criterion"], name="coverage_note_one_per_criterion"),
            models.UniqueConstraint(fields=["plan", "level4_item"], name="coverage_note_one_per_level4_item"),
        ]

    def __str__(self):
        return f"{self.plan_id}: {self.criterion_id or self.level4_item_id}"


class MonitorRole(models.TextChoices):
    LEADER = "leader", "Tổ trưởng"
    MEMBER = "member", "Thành viên"


class MonitoringMember(models.Model):
    """A member of the monitoring team (tổ giám sát kế hoạch cải tiến chất lượng)."""

    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="monitors")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    full_name = models.CharField("họ và tên", max_length=200)
    job_title = models.CharField("chức vụ", max_length=200, blank=True)
    role = models.CharField("nhiệm vụ", max_length=16, choices=MonitorRole.choices, default=MonitorRole.MEMBER)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "user"], condition=Q(user__isnull=False), name="monitor_one_per_user"
            )
        ]

    def __str__(self):
        return self.full_name


class ReviewKind(models.TextChoices):
    MONTHLY = "monthly", "Sơ kết tháng"
    TERM_I = "term_i", "Sơ kết cuối học kỳ I"
    YEAR_END = "year_end", "Tổng kết cuối năm học"
    OTHER = "other", "Rà soát khác"


class Review(models.Model):
    """One monitoring review (đợt rà soát, giám sát) at a date the school sets; held once recorded."""

    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="reviews")
    kind = models.CharField("loại", max_length=16, choices=ReviewKind.choices, default=ReviewKind.OTHER)
    title = models.CharField("tên đợt", max_length=200)
    scheduled_on = models.DateField("ngày dự kiến")
    held_on = models.DateField("ngày thực hiện", null=True, blank=True)
    summary = models.TextField("nhận xét chung, kiến nghị", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["scheduled_on", "id"]

    def __str__(self):
        return f"{self.title} ({self.scheduled_on:%d/%m/%Y})"

    @property
    def is_held(self) -> bool:
        return self.held_on is not None


class LineReview(models.Model):
    """What a review found for one line: status, progress, adjustment, new evidence."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="entries")
    line = models.ForeignKey(PlanLine, on_delete=models.CASCADE, related_name="reviews")
    status = models.CharField("trạng thái", max_length=16, choices=LineStatus.choices)
    progress = models.TextField("kết quả thực hiện", blank=True)
    adjustment = models.TextField("điều chỉnh", blank=True)
    evidence = models.ManyToManyField("evidence.Evidence", blank=True, related_name="+")

    class Meta:
        ordering = ["review__scheduled_on", "id"]
        constraints = [models.UniqueConstraint(fields=["review", "line"], name="line_review_once_per_review")]

    def __str__(self):
        return f"{self.review_id}/{self.line_id}: {self.status}"
