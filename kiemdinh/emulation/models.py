"""Year-end emulation scoring (chấm điểm thi đua) of accreditation work.

The Hóc Môn 2019–2020 plan: "Đưa kết quả thực hiện công tác KĐCLGD thành một tiêu chí để chấm điểm thi đua các đơn vị
vào cuối năm học". An authority defines a scheme for a school year made of rules; every rule is computed from the
data of each school below the authority's unit (never typed). The officer may adjust a school's total with a written
reason; each change of an adjustment is kept by django-simple-history.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from kiemdinh.core.schoolyear import reporting_year_end


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", "Đang chấm"
    CLOSED = "closed", "Đã chốt"


class RuleKind(models.TextChoices):
    SA_SUBMITTED_ON_TIME = "sa_submitted_on_time", "Nộp báo cáo tự đánh giá đúng hạn"
    SA_ACCEPTED = "sa_accepted", "Báo cáo tự đánh giá được chấp nhận"
    IMPROVEMENT_COMPLETION = "improvement_completion", "Thực hiện kế hoạch cải tiến chất lượng"
    LEVEL_REACHED = "level_reached", "Mức đạt được khi tự đánh giá"
    RECOGNISED = "recognised", "Có quyết định công nhận còn hiệu lực"


class LevelMode(models.TextChoices):
    MINIMUM = "minimum", "Đạt từ mức tối thiểu trở lên thì được đủ điểm"
    PER_LEVEL = "per_level", "Mỗi mức đạt được tính số điểm của tiêu chí"


class RecognitionWanted(models.TextChoices):
    """Which decisions a "recognised" rule counts: any, or one recognition.DecisionKind (the same values)."""

    ANY = "any", "Kiểm định chất lượng hoặc chuẩn quốc gia"
    ACCREDITATION = "accreditation", "Công nhận đạt kiểm định chất lượng giáo dục"
    NATIONAL_STANDARD = "national_standard", "Công nhận trường đạt chuẩn quốc gia"


# The highest school level of the 2018 circulars (Mức 4): the maximum of a rule scored per level.
MAX_SCHOOL_LEVEL = 4


class EmulationScheme(models.Model):
    """One authority's emulation scoring of accreditation work for a school year (bảng điểm thi đua)."""

    unit = models.ForeignKey(
        "units.AdministrativeUnit",
        verbose_name="đơn vị chấm điểm",
        on_delete=models.PROTECT,
        related_name="emulation_schemes",
    )
    school_year = models.CharField("năm học", max_length=9)  # "2019-2020"
    title = models.CharField("tên bảng điểm", max_length=300)
    max_score = models.DecimalField("thang điểm (tối đa)", max_digits=6, decimal_places=1, null=True, blank=True)
    notes = models.TextField("ghi chú", blank=True)
    signer_title = models.CharField("chức danh người ký", max_length=120, default="TRƯỞNG PHÒNG")
    signer_name = models.CharField("người ký", max_length=200, blank=True)
    status = models.CharField("trạng thái", max_length=16, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-school_year", "title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_score__isnull=True) | Q(max_score__gt=0), name="emulation_scheme_max_score_positive"
            )
        ]
        verbose_name = "bảng điểm thi đua"
        verbose_name_plural = "bảng điểm thi đua"

    def __str__(self):
        return f"{self.title} ({self.school_year})"

    @property
    def is_closed(self) -> bool:
        return self.status == SchemeStatus.CLOSED

    @property
    def year_end(self) -> date:
        """The day the scheme reads its school year on: the end of the reporting year, 31 July."""
        return reporting_year_end(self.school_year)


class EmulationRule(models.Model):
    """One scored item of a scheme (one column of the table). `parameters` holds what its kind needs:

    - sa_submitted_on_time: {"deadline": "2020-01-31", "late_points": "2.0"}
    - level_reached: {"mode": "minimum", "min_level": 2} or {"mode": "per_level"}
    - recognised: {"decision_kind": "any" | "accreditation" | "national_standard"}
    - sa_accepted, improvement_completion: {}
    Decimal values are stored as strings so that "0.5" stays exact.
    """

    scheme = models.ForeignKey(EmulationScheme, on_delete=models.CASCADE, related_name="rules")
    position = models.PositiveSmallIntegerField("thứ tự", default=0)
    label = models.CharField("nội dung chấm điểm", max_length=300)
    kind = models.CharField("cách tính", max_length=32, choices=RuleKind.choices)
    points = models.DecimalField("điểm", max_digits=6, decimal_places=1)
    parameters = models.JSONField("tham số", default=dict, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.CheckConstraint(condition=Q(points__gte=0), name="emulation_rule_points_not_negative")]
        verbose_name = "tiêu chí chấm điểm thi đua"
        verbose_name_plural = "tiêu chí chấm điểm thi đua"

    def __str__(self):
        return f"{self.position}. {self.label}"

    @property
    def deadline(self) -> date | None:
        try:
            return date.fromisoformat(self.parameters.get("deadline") or "")
        except (TypeError, ValueError):
            return None

    @property
    def late_points(self) -> Decimal:
        return Decimal(str(self.parameters.get("late_points") or "0"))

    @property
    def level_mode(self) -> str:
        return self.parameters.get("mode") or LevelMode.MINIMUM

    @property
    def min_level(self) -> int:
        return int(self.parameters.get("min_level") or 1)

    @property
    def decision_kind(self) -> str:
        return self.parameters.get("decision_kind") or RecognitionWanted.ANY

    @property
    def max_points(self) -> Decimal:
        """The most a school can get from this rule."""
        if self.kind == RuleKind.LEVEL_REACHED and self.level_mode == LevelMode.PER_LEVEL:
            return self.points * MAX_SCHOOL_LEVEL
        return self.points

    @property
    def parameters_text(self) -> str:
        """The parameters in words, for the rule list."""
        if self.kind == RuleKind.SA_SUBMITTED_ON_TIME:
            deadline = self.deadline
            late = self.late_points
            text = f"hạn nộp {deadline:%d/%m/%Y}" if deadline else "chưa ghi hạn nộp"
            return f"{text}; nộp muộn được {points_text(late)} điểm"
        if self.kind == RuleKind.LEVEL_REACHED:
            if self.level_mode == LevelMode.PER_LEVEL:
                return f"{points_text(self.points)} điểm cho mỗi mức đạt được (tối đa Mức {MAX_SCHOOL_LEVEL})"
            return f"đạt từ Mức {self.min_level} trở lên"
        if self.kind == RuleKind.RECOGNISED:
            return RecognitionWanted(self.decision_kind).label.lower()
        if self.kind == RuleKind.IMPROVEMENT_COMPLETION:
            return "điểm × tỉ lệ nội dung hoàn thành, làm tròn 0,1"
        return ""


class ScoreAdjustment(models.Model):
    """The officer's adjustment (cộng/trừ điểm) of one school's total in a scheme: one current row per school, every
    change kept in its history with the reason."""

    scheme = models.ForeignKey(EmulationScheme, on_delete=models.CASCADE, related_name="adjustments")
    school = models.ForeignKey("units.School", verbose_name="trường", on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField("điểm điều chỉnh", max_digits=6, decimal_places=1)
    reason = models.TextField("lý do")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người điều chỉnh",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField("thời điểm")
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scheme", "school"], name="score_adjustment_one_per_school"),
            models.CheckConstraint(condition=~Q(reason=""), name="score_adjustment_has_reason"),
        ]
        verbose_name = "điều chỉnh điểm thi đua"
        verbose_name_plural = "điều chỉnh điểm thi đua"

    def __str__(self):
        return f"{self.scheme_id}/{self.school_id}: {self.points}"


def points_text(value: Decimal | None) -> str:
    """ "8,5", "10", "-2": one decimal with a Vietnamese comma, none when whole."""
    if value is None:
        return ""
    if value == 0:
        return "0"
    text = f"{value:.1f}".replace(".", ",")
    return text[:-2] if text.endswith(",0") else text
