"""What an education authority does around accreditation besides planning: consultation and inspection visits to
schools (đoàn kiểm tra, tư vấn) with their follow-up actions, the officers in charge of each school level (cán bộ phụ
trách theo cấp học), and training events (tập huấn) with their participants.

The Hóc Môn plan has all three: visits that check the authenticity of self-assessment reports of schools not yet
externally evaluated, a list of officers in charge per level with their e-mail, and the district's training sessions.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from kiemdinh.units.models import SchoolType


class VisitKind(models.TextChoices):
    CONSULTATION = "consultation", "Tư vấn"
    INSPECTION = "inspection", "Kiểm tra"
    AUTHENTICITY = "authenticity", "Kiểm tra tính xác thực của báo cáo tự đánh giá"


class Visit(models.Model):
    """One visit of an authority's team to a school: who went, what they found, what the school must do next."""

    unit = models.ForeignKey(
        "units.AdministrativeUnit",
        verbose_name="đơn vị tổ chức",
        on_delete=models.PROTECT,
        related_name="oversight_visits",
    )
    school = models.ForeignKey(
        "units.School", verbose_name="trường", on_delete=models.PROTECT, related_name="oversight_visits"
    )
    kind = models.CharField("hình thức", max_length=16, choices=VisitKind.choices)
    visited_on = models.DateField("ngày làm việc")
    plan = models.ForeignKey(
        "planning.AnnualPlan",
        verbose_name="theo kế hoạch",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="oversight_visits",
    )
    members = models.TextField("thành phần đoàn", blank=True)  # one "name – position" a line
    findings = models.TextField("nhận xét, kết luận", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["school", "visited_on"], name="oversight_visit_school_date")]
        verbose_name = "đợt kiểm tra, tư vấn"
        verbose_name_plural = "các đợt kiểm tra, tư vấn"

    def __str__(self):
        return f"{self.get_kind_display()} — {self.school} ({self.visited_on:%d/%m/%Y})"

    @property
    def member_lines(self) -> list[str]:
        return [line for line in self.members.splitlines() if line.strip()]


class VisitAction(models.Model):
    """A follow-up action (việc cần khắc phục) the visit asks of the school; the school marks it done with a note."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="actions")
    position = models.PositiveSmallIntegerField(default=0)
    content = models.TextField("nội dung")
    responsible = models.CharField("người, bộ phận thực hiện", max_length=200, blank=True)
    due_on = models.DateField("hạn hoàn thành", null=True, blank=True)
    is_done = models.BooleanField("đã hoàn thành", default=False)
    done_on = models.DateField("ngày hoàn thành", null=True, blank=True)
    done_note = models.TextField("ghi chú kết quả", blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["visit", "position", "id"]
        constraints = [
            models.CheckConstraint(
                name="oversight_action_done_has_date",
                condition=Q(is_done=False, done_on__isnull=True) | Q(is_done=True, done_on__isnull=False),
            )
        ]
        verbose_name = "việc cần thực hiện sau kiểm tra"
        verbose_name_plural = "các việc cần thực hiện sau kiểm tra"

    def __str__(self):
        return self.content[:80]

    def is_overdue(self, today) -> bool:
        return not self.is_done and self.due_on is not None and self.due_on < today


class SchoolLevel(models.TextChoices):
    KINDERGARTEN = "kindergarten", "Mầm non"
    PRIMARY = "primary", "Tiểu học"
    LOWER_SECONDARY = "lower_secondary", "Trung học cơ sở"
    UPPER_SECONDARY = "upper_secondary", "Trung học phổ thông"
    GENERAL = "general", "Tổng hợp chung"


# The levels a school type teaches; an officer in charge of any of them (or of "general") is the school's contact.
SCHOOL_TYPE_LEVELS: dict[str, tuple[str, ...]] = {
    SchoolType.MN: (SchoolLevel.KINDERGARTEN,),
    SchoolType.MG: (SchoolLevel.KINDERGARTEN,),
    SchoolType.NT: (SchoolLevel.KINDERGARTEN,),
    SchoolType.TH: (SchoolLevel.PRIMARY,),
    SchoolType.THCS: (SchoolLevel.LOWER_SECONDARY,),
    SchoolType.THPT: (SchoolLevel.UPPER_SECONDARY,),
    SchoolType.TH_THCS: (SchoolLevel.PRIMARY, SchoolLevel.LOWER_SECONDARY),
    SchoolType.THCS_THPT: (SchoolLevel.LOWER_SECONDARY, SchoolLevel.UPPER_SECONDARY),
    SchoolType.PTNCH: (SchoolLevel.PRIMARY, SchoolLevel.LOWER_SECONDARY, SchoolLevel.UPPER_SECONDARY),
}


class OfficerInCharge(models.Model):
    """An officer of an authority in charge of accreditation for one school level (or of the whole, "Tổng hợp chung").

    The contact details are kept here because the plan publishes them; the officer need not have an account.
    """

    unit = models.ForeignKey(
        "units.AdministrativeUnit", verbose_name="đơn vị", on_delete=models.CASCADE, related_name="officers_in_charge"
    )
    school_level = models.CharField("phụ trách cấp học", max_length=16, choices=SchoolLevel.choices)
    full_name = models.CharField("họ và tên", max_length=200)
    title = models.CharField("chức vụ", max_length=200, blank=True)
    phone = models.CharField("điện thoại", max_length=40, blank=True)
    email = models.EmailField("thư điện tử", max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="tài khoản",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["unit", "position", "id"]
        verbose_name = "cán bộ phụ trách"
        verbose_name_plural = "cán bộ phụ trách theo cấp học"

    def __str__(self):
        return f"{self.get_school_level_display()}: {self.full_name}"


class Training(models.Model):
    """A training event (tập huấn) an authority organises, e.g. on self-assessment for the councils of its schools."""

    unit = models.ForeignKey(
        "units.AdministrativeUnit", verbose_name="đơn vị tổ chức", on_delete=models.PROTECT, related_name="trainings"
    )
    title = models.CharField("nội dung tập huấn", max_length=300)
    starts_on = models.DateField("từ ngày")
    ends_on = models.DateField("đến ngày", null=True, blank=True)
    organiser = models.CharField("đơn vị, người tổ chức", max_length=200, blank=True)
    audience = models.TextField("đối tượng", blank=True)
    location = models.CharField("địa điểm", max_length=300, blank=True)
    notes = models.TextField("ghi chú", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="oversight_training_dates_ordered",
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
            )
        ]
        verbose_name = "đợt tập huấn"
        verbose_name_plural = "các đợt tập huấn"

    def __str__(self):
        return f"{self.title} ({self.starts_on:%d/%m/%Y})"

    @property
    def dates_label(self) -> str:
        if self.ends_on and self.ends_on != self.starts_on:
            return f"{self.starts_on:%d/%m/%Y} – {self.ends_on:%d/%m/%Y}"
        return f"{self.starts_on:%d/%m/%Y}"


class TrainingParticipant(models.Model):
    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="participants")
    position = models.PositiveIntegerField(default=0)
    full_name = models.CharField("họ và tên", max_length=200)
    job_title = models.CharField("chức vụ", max_length=200, blank=True)
    school = models.ForeignKey(
        "units.School",
        verbose_name="trường",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="training_participants",
    )
    attended = models.BooleanField("có tham dự", default=True)

    class Meta:
        ordering = ["training", "position", "id"]
        verbose_name = "người tham dự tập huấn"
        verbose_name_plural = "danh sách tham dự tập huấn"

    def __str__(self):
        return self.full_name
