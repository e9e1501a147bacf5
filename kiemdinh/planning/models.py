from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from kiemdinh.recognition.models import RecognitionRound


class PlanKind(models.TextChoices):
    YEAR = "year", "Kế hoạch năm"
    SCHOOL_YEAR = "school_year", "Kế hoạch năm học"
    ROADMAP = "roadmap", "Lộ trình nhiều năm"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Dự thảo"
    ISSUED = "issued", "Đã ban hành"


class AnnualPlan(models.Model):
    """An authority's plan (kế hoạch) for a year, a school year or several years (lộ trình): its text as issued, the
    schools it targets, its measurable targets (chỉ tiêu), the agencies' tasks and the reports on it."""

    unit = models.ForeignKey(
        "units.AdministrativeUnit", verbose_name="đơn vị ban hành", on_delete=models.PROTECT, related_name="plans"
    )
    issuer = models.CharField("cơ quan ban hành", max_length=200)  # "UBND thị xã Hương Trà", "Phòng GD&ĐT Hóc Môn"
    issuer_parent = models.CharField("cơ quan chủ quản", max_length=200, blank=True)  # first header line, if any
    kind = models.CharField("loại kế hoạch", max_length=16, choices=PlanKind.choices, default=PlanKind.YEAR)
    number = models.CharField("số", max_length=64, blank=True)  # "20/KH-UBND"; blank where the seed has none
    issued_on = models.DateField("ngày ban hành", null=True, blank=True)
    place = models.CharField("địa danh", max_length=100, blank=True)
    title = models.TextField("trích yếu")
    period = models.CharField("năm / năm học", max_length=20)  # "2024", "2019-2020", "2021-2025"
    starts_on = models.DateField("từ ngày", null=True, blank=True)
    ends_on = models.DateField("đến ngày", null=True, blank=True)
    preamble = models.TextField("căn cứ", blank=True)  # the "Căn cứ… / Thực hiện…" paragraphs before section I
    purpose = models.TextField("mục đích", blank=True)
    requirements = models.TextField("yêu cầu", blank=True)
    closing = models.TextField("đoạn kết", blank=True)  # "Trên đây là Kế hoạch…"
    recipients = models.TextField("nơi nhận", blank=True)  # one line each
    signer_name = models.CharField("người ký", max_length=200, blank=True)
    signer_title = models.CharField("chức vụ người ký", max_length=200, blank=True)  # lines split by " / "
    status = models.CharField("trạng thái", max_length=8, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    report_every_months = models.PositiveSmallIntegerField("báo cáo định kỳ (tháng/lần)", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-period", "unit"]
        verbose_name = "kế hoạch"
        verbose_name_plural = "kế hoạch"

    def __str__(self):
        return f"{self.number or 'Kế hoạch'} — {self.issuer} ({self.period})"

    @property
    def is_issued(self) -> bool:
        return self.status == PlanStatus.ISSUED

    def covers(self, day: date) -> bool:
        return bool(self.starts_on and self.ends_on and self.starts_on <= day <= self.ends_on)

    @property
    def dated_on(self) -> date | None:
        """The plan's own date (issued, else its start, else the first day of its period's first year): the tree of
        that day is the one its lists refer to."""
        if self.issued_on or self.starts_on:
            return self.issued_on or self.starts_on
        year = self.period[:4]
        return date(int(year), 1, 1) if year.isdigit() else None


class PlanSection(models.Model):
    """A numbered part of the plan's body after "I. Mục đích, yêu cầu" (II. Mục tiêu…, III. Nhiệm vụ…, IV. Tổ chức
    thực hiện), as the officer writes it; paragraphs are lines."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(default=0)
    heading = models.CharField("tiêu đề", max_length=300)  # "MỤC TIÊU, CHỈ TIÊU" (the roman numeral is added)
    body = models.TextField("nội dung", blank=True)

    class Meta:
        ordering = ["plan", "position", "id"]
        verbose_name = "mục của kế hoạch"
        verbose_name_plural = "các mục của kế hoạch"

    def __str__(self):
        return self.heading


class PlanTarget(models.Model):
    """One school in a plan's list, with its integrated target, e.g. CĐ2-MĐ1 (grade 2 + national standard level 1)."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="targets")
    school = models.ForeignKey("units.School", on_delete=models.PROTECT, related_name="plan_targets")
    position = models.PositiveSmallIntegerField("TT")
    accreditation_grade = models.PositiveSmallIntegerField("cấp độ", null=True, blank=True)
    national_standard_level = models.PositiveSmallIntegerField("mức độ chuẩn quốc gia", null=True, blank=True)
    external_evaluation = models.BooleanField("đánh giá ngoài", default=True)
    recognition_round = models.CharField("lần công nhận", max_length=8, choices=RecognitionRound.choices, blank=True)
    evaluation_period = models.CharField("thời gian đánh giá ngoài dự kiến", max_length=100, blank=True)
    note = models.CharField("ghi chú", max_length=300, blank=True)
    reason = models.CharField("lý do đưa vào danh sách", max_length=300, blank=True)  # kept from the suggestion

    class Meta:
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "school"], name="plan_target_one_per_school"),
            models.CheckConstraint(
                name="plan_target_grade_range",
                condition=Q(accreditation_grade__isnull=True)
                | Q(accreditation_grade__gte=1, accreditation_grade__lte=4),
            ),
            models.CheckConstraint(
                name="plan_target_level_range",
                condition=Q(national_standard_level__isnull=True)
                | Q(national_standard_level__gte=1, national_standard_level__lte=2),
            ),
        ]
        verbose_name = "trường trong kế hoạch"
        verbose_name_plural = "danh sách trường trong kế hoạch"

    def __str__(self):
        return f"{self.school} — {self.target_label}"

    @property
    def target_label(self) -> str:
        """The seeds' notation: "CĐ2-MĐ1", "CĐ3-MĐ2", "KĐ", "CQG MĐ1" (code names: grade, national level)."""
        parts = []
        if self.accreditation_grade:
            parts.append(f"CĐ{self.accreditation_grade}")
        if self.national_standard_level:
            parts.append(f"MĐ{self.national_standard_level}")
        if not parts:
            return "ĐGN" if self.external_evaluation else ""
        return "-".join(parts)

    @property
    def round_label(self) -> str:
        """The list's "GHI CHÚ" wording."""
        return {RecognitionRound.FIRST: "CN lần đầu", RecognitionRound.AGAIN: "CN lại"}.get(self.recognition_round, "")


class SuggestionDismissal(models.Model):
    """A suggested school the officer decided not to list in this plan, with why; it stops being suggested."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="dismissals")
    school = models.ForeignKey("units.School", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField("lý do không đưa vào", max_length=300)
    dismissed_at = models.DateTimeField(auto_now_add=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "school"], name="dismissal_one_per_school")]
        verbose_name = "đề xuất không chọn"
        verbose_name_plural = "đề xuất không chọn"

    def __str__(self):
        return f"{self.school}: {self.reason}"


class GoalMetric(models.TextChoices):
    """What a target (chỉ tiêu) counts; progress is always computed from the data."""

    SELF_ASSESSMENT_SUBMITTED = "sa_submitted", "Trường nộp báo cáo tự đánh giá đúng hạn"
    SELF_ASSESSMENT_ACCEPTED = "sa_accepted", "Trường có báo cáo tự đánh giá được chấp nhận"
    ACCREDITED = "accredited", "Trường được công nhận đạt kiểm định chất lượng giáo dục"
    NATIONAL_STANDARD = "national_standard", "Trường được công nhận đạt chuẩn quốc gia"
    TARGETS_REACHED = "targets_reached", "Trường trong danh sách đạt mục tiêu đăng ký"


class GoalScope(models.TextChoices):
    UNIT = "unit", "Mọi trường thuộc đơn vị"
    TARGETS = "targets", "Các trường trong danh sách của kế hoạch"


class GoalMeasure(models.TextChoices):
    PERCENT = "percent", "Tỉ lệ (%)"
    COUNT = "count", "Số trường"


class PlanGoal(models.Model):
    """A measurable target of the plan, e.g. "100% CSGD nộp hồ sơ tự đánh giá trước 31/01/2024", "35% trường MN,
    TH, THCS được đánh giá ngoài", "02 trường đạt chuẩn quốc gia mức độ I"."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="goals")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField("chỉ tiêu (như trong kế hoạch)")
    metric = models.CharField("đo bằng", max_length=20, choices=GoalMetric.choices)
    scope = models.CharField("tính trên", max_length=8, choices=GoalScope.choices, default=GoalScope.UNIT)
    school_types = models.CharField("loại trường", max_length=100, blank=True)  # "MN,TH,THCS"; blank = every type
    measure = models.CharField("đơn vị chỉ tiêu", max_length=8, choices=GoalMeasure.choices)
    target_value = models.DecimalField("giá trị chỉ tiêu", max_digits=6, decimal_places=2)
    level = models.PositiveSmallIntegerField("cấp độ / mức độ tối thiểu", null=True, blank=True)
    school_year = models.CharField("năm học tự đánh giá", max_length=9, blank=True)  # for self-assessment metrics
    deadline = models.DateField("hạn", null=True, blank=True)  # blank = the plan's end

    class Meta:
        ordering = ["plan", "position", "id"]
        verbose_name = "chỉ tiêu"
        verbose_name_plural = "chỉ tiêu"

    def __str__(self):
        return self.text

    @property
    def type_list(self) -> list[str]:
        return [t for t in self.school_types.split(",") if t]

    @property
    def level_word(self) -> str:
        """What `level` counts: an accreditation grade (cấp độ) or a national-standard level (mức độ)."""
        return "cấp độ" if self.metric == GoalMetric.ACCREDITED else "mức độ"


class DeadlineKind(models.TextChoices):
    NONE = "", "Không ghi hạn"
    DATE = "date", "Ngày"
    MONTH = "month", "Tháng"
    QUARTER = "quarter", "Quý"


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Chưa bắt đầu"
    IN_PROGRESS = "in_progress", "Đang thực hiện"
    DONE = "done", "Hoàn thành"
    BLOCKED = "blocked", "Gặp khó khăn"


class PlanTask(models.Model):
    """An agency's assignment in the plan (Cao Lộc: lead official, lead agency, cooperating agencies, content and
    a deadline such as "quý II năm 2024")."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="tasks")
    position = models.PositiveSmallIntegerField(default=0)
    agency = models.CharField("cơ quan, đơn vị thực hiện", max_length=300)  # "Phòng Tài nguyên và Môi trường"
    lead_official = models.CharField("lãnh đạo phụ trách", max_length=300, blank=True)
    cooperating = models.TextField("đơn vị phối hợp", blank=True)
    content = models.TextField("nội dung nhiệm vụ")
    school = models.ForeignKey(
        "units.School", null=True, blank=True, on_delete=models.PROTECT, related_name="plan_tasks"
    )  # a task given to a school, shown among its reminders
    deadline_kind = models.CharField("loại hạn", max_length=8, choices=DeadlineKind.choices, blank=True)
    due_on = models.DateField("hạn (ngày cuối)", null=True, blank=True)  # last day of the month or quarter
    status = models.CharField("trạng thái", max_length=12, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED)
    completed_on = models.DateField("ngày hoàn thành", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "position", "id"]
        verbose_name = "nhiệm vụ"
        verbose_name_plural = "nhiệm vụ"

    def __str__(self):
        return f"{self.agency}: {self.content[:60]}"

    @property
    def deadline_label(self) -> str:
        """ "30/06/2024", "tháng 12/2023", "quý II năm 2024" or ""."""
        if not self.due_on:
            return ""
        if self.deadline_kind == DeadlineKind.MONTH:
            return f"tháng {self.due_on.month}/{self.due_on.year}"
        if self.deadline_kind == DeadlineKind.QUARTER:
            return f"quý {ROMAN[(self.due_on.month - 1) // 3]} năm {self.due_on.year}"
        return self.due_on.strftime("%d/%m/%Y")

    def is_overdue(self, today: date) -> bool:
        return bool(self.due_on and self.due_on < today and self.status != TaskStatus.DONE)


ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def task_update_upload_to(instance, filename: str) -> str:
    return f"plans/{instance.task.plan_id}/tasks/{instance.task_id}/{filename}"


class TaskUpdate(models.Model):
    """A progress update on a task (what was done, the new status, a document as evidence)."""

    task = models.ForeignKey(PlanTask, on_delete=models.CASCADE, related_name="updates")
    at = models.DateTimeField(auto_now_add=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField("trạng thái", max_length=12, choices=TaskStatus.choices)
    note = models.TextField("kết quả, tiến độ")
    file = models.FileField("văn bản minh chứng", upload_to=task_update_upload_to, blank=True)
    file_name = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["task", "-at", "-id"]
        verbose_name = "cập nhật tiến độ"
        verbose_name_plural = "cập nhật tiến độ"

    def __str__(self):
        return f"{self.get_status_display()}: {self.note[:60]}"


class ReportKind(models.TextChoices):
    PERIODIC = "periodic", "Báo cáo định kỳ"
    AD_HOC = "ad_hoc", "Báo cáo đột xuất (khó khăn, vướng mắc)"


class PlanReport(models.Model):
    """A report on the plan: periodic (e.g. every 3 months, drafted from the data and edited by the officer) or
    an unexpected difficulty reported at any time."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField("loại báo cáo", max_length=10, choices=ReportKind.choices)
    number = models.CharField("số", max_length=64, blank=True)
    period_label = models.CharField("kỳ báo cáo", max_length=100, blank=True)  # "quý I năm 2024"
    reported_on = models.DateField("ngày báo cáo")
    title = models.CharField("trích yếu", max_length=300)
    body = models.TextField("nội dung")
    recipients = models.TextField("nơi nhận", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "-reported_on", "-id"]
        verbose_name = "báo cáo thực hiện kế hoạch"
        verbose_name_plural = "báo cáo thực hiện kế hoạch"

    def __str__(self):
        return self.title


class ReminderDigest(models.Model):
    """The reminder e-mail sent to a user on a day (send_reminders sends at most one per user per day)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_digests")
    sent_on = models.DateField("ngày gửi")
    reminder_count = models.PositiveSmallIntegerField("số việc nhắc", default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_on", "user"]
        constraints = [models.UniqueConstraint(fields=["user", "sent_on"], name="reminder_digest_one_per_day")]
        verbose_name = "thư nhắc việc"
        verbose_name_plural = "thư nhắc việc"

    def __str__(self):
        return f"{self.user} — {self.sent_on:%d/%m/%Y}"
