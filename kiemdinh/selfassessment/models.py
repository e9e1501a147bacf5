from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from simple_history.models import HistoricalRecords

from kiemdinh.frameworks.subjects import AboutSubject


def one_per_subject(prefix: str, field: str) -> list:
    """Rows about either a `field` (criterion or indicator) or a Mức 4 item, never both, at most one per cycle each."""
    return [
        models.UniqueConstraint(fields=["cycle", field], name=f"{prefix}_one_per_{field}"),
        models.UniqueConstraint(fields=["cycle", "level4_item"], name=f"{prefix}_one_per_level4_item"),
        models.CheckConstraint(
            condition=Q(**{f"{field}__isnull": False, "level4_item__isnull": True})
            | Q(**{f"{field}__isnull": True, "level4_item__isnull": False}),
            name=f"{prefix}_{field}_xor_level4",
        ),
    ]


class CycleStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "Đang tự đánh giá"
    SUBMITTED = "submitted", "Đã nộp"
    RETURNED = "returned", "Bị trả lại"
    ACCEPTED = "accepted", "Đã chấp nhận"


EDITABLE_STATUSES = (CycleStatus.IN_PROGRESS, CycleStatus.RETURNED)


class Cycle(models.Model):
    """One school's self-assessment for one school year, on the framework version in force for it."""

    school = models.ForeignKey("units.School", on_delete=models.PROTECT, related_name="cycles")
    framework = models.ForeignKey("frameworks.FrameworkVersion", on_delete=models.PROTECT, related_name="cycles")
    school_year = models.CharField("năm học", max_length=9)  # "2021-2022"
    status = models.CharField(max_length=16, choices=CycleStatus.choices, default=CycleStatus.IN_PROGRESS)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    carried_from = models.ForeignKey(
        "self", verbose_name="kế thừa từ", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField("thời điểm công bố", null=True, blank=True)

    class Meta:
        ordering = ["school", "-school_year"]
        constraints = [models.UniqueConstraint(fields=["school", "school_year"], name="cycle_one_per_year")]
        verbose_name = "đợt tự đánh giá"
        verbose_name_plural = "đợt tự đánh giá"

    def __str__(self):
        return f"{self.school} — {self.school_year}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def read_only_reason(self) -> str:
        """Why the cycle's content cannot be changed now ("" while it can): the one message of the one rule, raised
        as a ValidationError by `services.ensure_editable` and as a 403 by `access.access_cycle`."""
        if self.is_editable:
            return ""
        hint = {
            CycleStatus.SUBMITTED: "hồ sơ đã nộp chỉ sửa được khi cơ quan quản lý trả lại",
            CycleStatus.ACCEPTED: "hồ sơ đã được chấp nhận thì chỉ xem được",
        }.get(self.status)
        return (
            f"Đợt tự đánh giá năm học {self.school_year} đang ở trạng thái “{self.get_status_display()}” "
            "nên không sửa được" + (f" ({hint})." if hint else ".")
        )

    @property
    def is_submitted(self) -> bool:
        return self.status == CycleStatus.SUBMITTED

    @property
    def is_returned(self) -> bool:
        return self.status == CycleStatus.RETURNED

    @property
    def is_accepted(self) -> bool:
        return self.status == CycleStatus.ACCEPTED

    @property
    def regime(self) -> str:
        return self.framework.regime

    @cached_property
    def school_name_as_filed(self) -> str:
        """The school's name as the dossier shows it: as it was at submission for a submitted or accepted cycle (one
        small query reading just that key of the snapshot), else its name now."""
        if self.status in (CycleStatus.SUBMITTED, CycleStatus.ACCEPTED):
            snapshots = self.snapshots.order_by("-created_at", "-id")
            if self.status == CycleStatus.ACCEPTED:
                snapshots = snapshots.filter(accepted=True)
            name = snapshots.values_list("content__school__name", flat=True).first()
            if name:
                return name
        return self.school.name


class IndicatorRating(models.Model):
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="indicator_ratings")
    indicator = models.ForeignKey("frameworks.Indicator", on_delete=models.PROTECT, related_name="+")
    achieved = models.BooleanField("đạt")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "indicator"], name="rating_one_per_indicator")]

    def __str__(self):
        return f"{self.cycle_id}/{self.indicator_id}: {'đạt' if self.achieved else 'không đạt'}"


class Level4Rating(models.Model):
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="level4_ratings")
    item = models.ForeignKey("frameworks.Level4Item", on_delete=models.PROTECT, related_name="+")
    achieved = models.BooleanField("đạt")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "item"], name="rating_one_per_level4_item")]

    def __str__(self):
        return f"{self.cycle_id}/Mức 4 {self.item_id}: {'đạt' if self.achieved else 'không đạt'}"


# --- Submission and review ------------------------------------------------------------------------------------------


class CycleTransition(models.Model):
    """One step of a cycle's life (opened, submitted, returned, accepted, published): who, when, comment."""

    class Kind(models.TextChoices):
        OPENED = "opened", "Mở đợt tự đánh giá"
        SUBMITTED = "submitted", "Hiệu trưởng phê duyệt và nộp"
        RETURNED = "returned", "Cơ quan quản lý trả lại"
        ACCEPTED = "accepted", "Cơ quan quản lý chấp nhận"
        PUBLISHED = "published", "Công bố báo cáo"

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="transitions")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField("ý kiến", blank=True)
    snapshot = models.ForeignKey("CycleSnapshot", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "bước xử lý đợt tự đánh giá"
        verbose_name_plural = "các bước xử lý đợt tự đánh giá"

    def __str__(self):
        return f"{self.cycle} · {self.get_kind_display()}"


class ReturnComment(models.Model):
    """The authority's comment on one criterion (or on the whole dossier) when it returns a cycle."""

    transition = models.ForeignKey(CycleTransition, on_delete=models.CASCADE, related_name="criterion_comments")
    criterion = models.ForeignKey(
        "frameworks.Criterion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField("ý kiến")

    class Meta:
        ordering = ["criterion__position", "id"]

    def __str__(self):
        return self.text[:80]


class CycleSnapshot(models.Model):
    """The frozen content of a cycle at submission; acceptance checks the data still hashes to the same value."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="snapshots")
    content = models.JSONField()
    content_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted = models.BooleanField("là bản được chấp nhận", default=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.cycle} · {self.content_hash[:12]}"


# --- Council (hội đồng tự đánh giá) -----------------------------------------------------------------------------


class CouncilRole(models.TextChoices):
    CHAIR = "chu_tich", "Chủ tịch"
    VICE_CHAIR = "pho_chu_tich", "Phó Chủ tịch"
    SECRETARY = "thu_ky", "Thư ký"
    MEMBER = "uy_vien", "Ủy viên"


class WorkingGroup(models.Model):
    """Nhóm công tác of the council."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="working_groups")
    name = models.CharField("tên nhóm", max_length=200)
    position = models.PositiveIntegerField(default=0)
    note = models.TextField("nhiệm vụ", blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["cycle", "name"], name="working_group_unique_name")]

    def __str__(self):
        return self.name


class CouncilMember(models.Model):
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="council_members")
    full_name = models.CharField("họ và tên", max_length=200)
    job_title = models.CharField("chức vụ", max_length=200, blank=True)  # "Hiệu trưởng", "Giáo viên"
    role = models.CharField("nhiệm vụ trong hội đồng", max_length=16, choices=CouncilRole.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="tài khoản",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    group = models.ForeignKey(
        WorkingGroup,
        verbose_name="nhóm công tác",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "user"], condition=Q(user__isnull=False), name="council_member_one_per_account"
            )
        ]

    def __str__(self):
        return f"{self.full_name} ({self.get_role_display()})"


class CouncilDecision(models.Model):
    """Quyết định thành lập hội đồng tự đánh giá: its number and date of signing (the decision's text is generated from
    the council; these two values come from the signed paper)."""

    cycle = models.OneToOneField(Cycle, on_delete=models.CASCADE, related_name="council_decision")
    number = models.CharField("số quyết định", max_length=64)
    issued_on = models.DateField("ngày ký")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "quyết định thành lập hội đồng tự đánh giá"
        verbose_name_plural = "quyết định thành lập hội đồng tự đánh giá"

    def __str__(self):
        return f"{self.number} ({self.issued_on:%d/%m/%Y})"


class CriterionAssignment(AboutSubject, models.Model):
    """Who drafts a criterion (or a Mức 4 item): a working group and/or one member."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="assignments")
    criterion = models.ForeignKey(
        "frameworks.Criterion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    level4_item = models.ForeignKey(
        "frameworks.Level4Item", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # SET_NULL: removing a group or member (even outside the services) leaves the criterion visibly unassigned.
    group = models.ForeignKey(
        WorkingGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="assignments"
    )
    member = models.ForeignKey(
        CouncilMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="assignments"
    )

    class Meta:
        constraints = one_per_subject("assignment", "criterion")

    def __str__(self):
        return f"{self.cycle_id}: {self.criterion_id or self.level4_item_id}"


# --- Plan (Phụ lục 1) and nội hàm worksheet (Phụ lục 2/3) -----------------------------------------------------------


class AssessmentPlan(models.Model):
    """Kế hoạch tự đánh giá: purpose, scope, resources; the timeline is PlanActivity."""

    cycle = models.OneToOneField(Cycle, on_delete=models.CASCADE, related_name="plan")
    number = models.CharField("số kế hoạch", max_length=64, blank=True)
    issued_on = models.DateField("ngày ban hành", null=True, blank=True)
    purpose = models.TextField("mục đích tự đánh giá", blank=True)
    scope = models.TextField("phạm vi tự đánh giá", blank=True)
    tools = models.TextField("công cụ đánh giá", blank=True)
    resources = models.TextField("nguồn lực (nhân lực, cơ sở vật chất, tài chính)", blank=True)
    hired_experts = models.TextField("dự kiến thuê chuyên gia (nếu có)", blank=True)
    evidence_collection = models.TextField("dự kiến các minh chứng cần thu thập", blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    def __str__(self):
        return f"Kế hoạch tự đánh giá {self.cycle}"


class PlanActivity(models.Model):
    """One line of the plan's timeline; `step` ties it to one of the seven steps of Điều 23 (optional)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="plan_activities")
    step = models.PositiveSmallIntegerField("bước", null=True, blank=True)
    title = models.CharField("hoạt động", max_length=500)
    starts_on = models.DateField("bắt đầu", null=True, blank=True)
    ends_on = models.DateField("kết thúc", null=True, blank=True)
    owner = models.CharField("người/bộ phận thực hiện", max_length=300, blank=True)
    note = models.TextField("ghi chú", blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = [models.F("starts_on").asc(nulls_last=True), "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(step__isnull=True) | Q(step__gte=1, step__lte=7), name="plan_activity_step_1_to_7"
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True) | Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="plan_activity_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.title


class ScopeAnalysis(models.Model):
    """Phiếu xác định nội hàm: for one indicator (or Mức 4 item), its meaning, questions, evidence needed, sources."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="scope_analyses")
    indicator = models.ForeignKey(
        "frameworks.Indicator", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    level4_item = models.ForeignKey(
        "frameworks.Level4Item", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    meaning = models.TextField("nội hàm", blank=True)
    questions = models.TextField("câu hỏi đặt ra", blank=True)
    evidence_needed = models.TextField("minh chứng cần thu thập", blank=True)
    sources = models.TextField("nơi thu thập", blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = one_per_subject("scope_analysis", "indicator")

    def __str__(self):
        return f"{self.cycle_id}: {self.indicator_id or self.level4_item_id}"


# --- Criterion forms (phiếu đánh giá tiêu chí, Phụ lục 5a/5b) ------------------------------------------------------


class CriterionForm(AboutSubject, models.Model):
    """The texts of one criterion (or one Mức 4 item) of a cycle.

    `descriptions` maps an indicator key ("1.a", "2", …: level then letter, "" letters dropped) to the description of
    the current state for it; a Mức 4 form uses the key "4". `version` grows with every save: a save based on an older
    version is refused (no lost update). Every save is kept in `history` (who, when) for the diff view.
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="criterion_forms")
    criterion = models.ForeignKey(
        "frameworks.Criterion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    level4_item = models.ForeignKey(
        "frameworks.Level4Item", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    descriptions = models.JSONField("mô tả hiện trạng", default=dict, blank=True)
    strengths = models.TextField("điểm mạnh", blank=True)
    weaknesses = models.TextField("điểm yếu", blank=True)
    improvement = models.TextField("kế hoạch cải tiến chất lượng", blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    TEXT_FIELDS = ("strengths", "weaknesses", "improvement")

    class Meta:
        constraints = one_per_subject("criterion_form", "criterion")

    def __str__(self):
        return f"{self.cycle_id}: {self.criterion_id or self.level4_item_id} v{self.version}"

    def all_text(self) -> str:
        """Every text of the form, for citation scanning."""
        parts = [str(v) for v in (self.descriptions or {}).values()]
        parts += [getattr(self, f) for f in self.TEXT_FIELDS]
        return "\n".join(p for p in parts if p)


def indicator_key(level: int, letter: str) -> str:
    """The key of an indicator inside CriterionForm.descriptions: "1.a", or "2" for an unlettered level."""
    return f"{level}.{letter}" if letter else str(level)


LEVEL4_KEY = "4"


class FormDraft(models.Model):
    """Autosaved, not yet saved edits of one user on one form: restored when they come back."""

    form = models.ForeignKey(CriterionForm, on_delete=models.CASCADE, related_name="drafts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    base_version = models.PositiveIntegerField()
    data = models.JSONField(default=dict)
    saved_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["form", "user"], name="form_draft_one_per_user")]

    def __str__(self):
        return f"{self.form_id}/{self.user_id}"


class ReportText(models.Model):
    """A narrative part of the self-assessment report: Đặt vấn đề, each standard's Mở đầu and Kết luận, Kết luận chung.

    Keys: "intro.situation", "intro.purpose", "intro.process", "standard.<code>.opening", "standard.<code>.conclusion",
    "level4.conclusion", "conclusion". The criterion parts come from the criterion forms.
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="report_texts")
    key = models.CharField(max_length=40)
    text = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "key"], name="report_text_one_per_key")]

    def __str__(self):
        return f"{self.cycle_id}: {self.key}"


class SchoolStatistics(models.Model):
    """One statistics table of Phần I of the report (statistics.py defines the tables): {row_key: {school_year: n}}.

    Only typed cells are stored; blank cells are absent and "Cộng" rows are computed when read.
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="school_statistics")
    table = models.CharField("bảng số liệu", max_length=32)
    data = models.JSONField("số liệu", default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "table"], name="school_statistics_one_per_table")]
        verbose_name = "số liệu Phần I"
        verbose_name_plural = "số liệu Phần I"

    def __str__(self):
        return f"{self.cycle_id}: {self.table}"
