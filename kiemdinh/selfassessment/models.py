from django.conf import settings
from django.db import models


class CycleStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "Đang tự đánh giá"
    SUBMITTED = "submitted", "Đã nộp"
    RETURNED = "returned", "Bị trả lại"
    ACCEPTED = "accepted", "Đã chấp nhận"


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

    class Meta:
        ordering = ["school", "-school_year"]
        constraints = [models.UniqueConstraint(fields=["school", "school_year"], name="cycle_one_per_year")]
        verbose_name = "đợt tự đánh giá"
        verbose_name_plural = "đợt tự đánh giá"

    def __str__(self):
        return f"{self.school} — {self.school_year}"


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
