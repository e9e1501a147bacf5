from django.conf import settings
from django.db import models
from django.db.models import Q


class AnnualPlan(models.Model):
    """An authority's plan (kế hoạch) for a year or school year: which schools go for which grade/level."""

    unit = models.ForeignKey(
        "units.AdministrativeUnit", verbose_name="đơn vị ban hành", on_delete=models.PROTECT, related_name="plans"
    )
    issuer = models.CharField("cơ quan ban hành", max_length=200)  # "UBND thị xã Hương Trà", "Phòng GD&ĐT Hóc Môn"
    number = models.CharField("số", max_length=64, blank=True)  # "20/KH-UBND"; blank where the seed has none
    issued_on = models.DateField("ngày ban hành", null=True, blank=True)
    place = models.CharField("địa danh", max_length=100, blank=True)
    title = models.TextField("trích yếu")
    period = models.CharField("năm / năm học", max_length=20)  # "2024", "2019-2020"
    signer_name = models.CharField("người ký", max_length=200, blank=True)
    signer_title = models.CharField("chức vụ người ký", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-period", "unit"]
        verbose_name = "kế hoạch"
        verbose_name_plural = "kế hoạch"

    def __str__(self):
        return f"{self.number or 'Kế hoạch'} — {self.issuer} ({self.period})"


class RecognitionRound(models.TextChoices):
    FIRST = "first", "Công nhận lần đầu"
    AGAIN = "again", "Công nhận lại"


class PlanTarget(models.Model):
    """One school in a plan's list, with its integrated target, e.g. CĐ2-MĐ1 (grade 2 + national standard level 1)."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="targets")
    school = models.ForeignKey("units.School", on_delete=models.PROTECT, related_name="plan_targets")
    position = models.PositiveSmallIntegerField("TT")
    accreditation_grade = models.PositiveSmallIntegerField("cấp độ", null=True, blank=True)
    national_standard_level = models.PositiveSmallIntegerField("mức độ chuẩn quốc gia", null=True, blank=True)
    external_evaluation = models.BooleanField("đánh giá ngoài", default=True)
    recognition_round = models.CharField("lần công nhận", max_length=8, choices=RecognitionRound.choices, blank=True)
    note = models.CharField("ghi chú", max_length=300, blank=True)

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
