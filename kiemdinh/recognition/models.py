import calendar
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from kiemdinh.accounts.models import Body
from kiemdinh.frameworks.choices import Regime

# A recognition decision is valid for 5 years from signing (TT17/18/19 Điều 39/42, TT57), unless it states otherwise.
VALID_YEARS = 5
# A school re-registers at least 5 months before its recognition expires.
REREGISTER_MONTHS_BEFORE = 5


class DecisionKind(models.TextChoices):
    ACCREDITATION = "accreditation", "Công nhận đạt kiểm định chất lượng giáo dục"
    NATIONAL_STANDARD = "national_standard", "Công nhận trường đạt chuẩn quốc gia"


class RecognitionRound(models.TextChoices):
    FIRST = "first", "Công nhận lần đầu"
    AGAIN = "again", "Công nhận lại"


class DecisionQuerySet(models.QuerySet):
    def valid_on(self, on: date):
        """Decisions in force on a date: signed, not yet expired, not revoked by then."""
        return self.filter(valid_from__lte=on, valid_until__gte=on).filter(
            Q(revoked_on__isnull=True) | Q(revoked_on__gt=on)
        )


def decision_label(kind: str, level: int) -> str:
    """ "CĐ2" for an accreditation grade, "MĐ1" for a national-standard level (the seeds' notation)."""
    return f"{'CĐ' if kind == DecisionKind.ACCREDITATION else 'MĐ'}{level}"


class Decision(models.Model):
    """A recognition decision (quyết định công nhận): an accreditation grade (cấp độ) or a national-standard level
    (mức độ) of one school, with its validity. Recorded from the paper decision, or issued from an evaluation (#7)."""

    school = models.ForeignKey("units.School", on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField("loại công nhận", max_length=20, choices=DecisionKind.choices)
    # The regulations it was decided under ("2018": TT17/18/19; "tt57"): its team's cycle's when issued from an
    # evaluation, as the officer states it when entered from paper. It decides who corrects and revokes it
    # (recognition.authority); a 2018 decision may be signed after 07/7/2026 when its evaluation was a 2018 one.
    regime = models.CharField("quy định áp dụng", max_length=8, choices=Regime.choices, default=Regime.R2018)
    level = models.PositiveSmallIntegerField("cấp độ / mức độ")
    recognition_round = models.CharField(
        "lần công nhận", max_length=8, choices=RecognitionRound.choices, default=RecognitionRound.FIRST
    )
    number = models.CharField("số quyết định", max_length=64, blank=True)
    decided_on = models.DateField("ngày ký")
    issuer = models.CharField("cơ quan ban hành", max_length=200, blank=True)
    signer_name = models.CharField("người ký", max_length=200, blank=True)
    valid_from = models.DateField("có hiệu lực từ")
    valid_until = models.DateField("có hiệu lực đến")
    revoked_on = models.DateField("ngày thu hồi", null=True, blank=True)
    revoked_reason = models.TextField("lý do thu hồi", blank=True)
    note = models.CharField("ghi chú", max_length=300, blank=True)
    team = models.ForeignKey(
        "evaluation.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )  # the external evaluation it was issued from; blank for a decision entered from paper
    published = models.BooleanField("công khai", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = DecisionQuerySet.as_manager()
    # Every entry, correction and revocation, with who made it and why (history_change_reason, which also names the
    # body acted for): shown on the decision's page. The decision's row holds its current text; its versions are here.
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["school", "-decided_on", "-id"]
        indexes = [models.Index(fields=["school", "kind", "valid_until"], name="decision_school_kind_until")]
        constraints = [
            models.CheckConstraint(
                name="decision_level_range",
                condition=Q(kind=DecisionKind.ACCREDITATION, level__gte=1, level__lte=4)
                | Q(kind=DecisionKind.NATIONAL_STANDARD, level__gte=1, level__lte=2),
            ),
            models.CheckConstraint(
                name="decision_validity_order", condition=Q(valid_until__gte=models.F("valid_from"))
            ),
        ]
        verbose_name = "quyết định công nhận"
        verbose_name_plural = "quyết định công nhận"

    def __str__(self):
        return f"{self.label} — {self.school}"

    @property
    def label(self) -> str:
        return decision_label(self.kind, self.level)

    @property
    def level_word(self) -> str:
        """What `level` counts: an accreditation grade (cấp độ) or a national-standard level (mức độ)."""
        return "cấp độ" if self.kind == DecisionKind.ACCREDITATION else "mức độ"

    @property
    def reregister_by(self) -> date:
        return months_before(self.valid_until, REREGISTER_MONTHS_BEFORE)


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier (clamped to the month's last day)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def years_after(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class Delegation(models.Model):
    """A body's written decision that another body acts for it in some of the actions of the rule table
    (recognition.authority), e.g. the provincial People's Committee having the Sở GD&ĐT enter its national-standard
    decisions into this system. Explicit data with its deciding document, never an implicit rule: without an active
    row, only officers of the body itself act for it."""

    unit = models.ForeignKey(
        "units.AdministrativeUnit", on_delete=models.PROTECT, related_name="delegations_given", verbose_name="đơn vị"
    )
    body = models.CharField("cơ quan ủy quyền", max_length=16, choices=Body.choices)
    delegate_unit = models.ForeignKey(
        "units.AdministrativeUnit",
        on_delete=models.PROTECT,
        related_name="delegations_received",
        verbose_name="đơn vị được ủy quyền",
    )
    delegate_body = models.CharField("cơ quan được ủy quyền", max_length=16, choices=Body.choices)
    actions = models.CharField(
        "việc được ủy quyền", max_length=200
    )  # action values of authority.Action, comma-separated
    kind = models.CharField("loại quyết định", max_length=20, choices=DecisionKind.choices, blank=True)  # blank: both
    document_number = models.CharField("số văn bản ủy quyền", max_length=64)
    document_on = models.DateField("ngày văn bản")
    signer_name = models.CharField("người ký", max_length=200, blank=True)
    valid_from = models.DateField("có hiệu lực từ")
    valid_until = models.DateField("có hiệu lực đến", null=True, blank=True)  # blank: until ended
    ended_on = models.DateField("ngày chấm dứt", null=True, blank=True)
    ended_reason = models.TextField("lý do chấm dứt", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["unit", "-valid_from", "-id"]
        verbose_name = "ủy quyền"
        verbose_name_plural = "ủy quyền"
        constraints = [
            models.CheckConstraint(
                name="delegation_to_another_body",
                condition=~Q(delegate_unit=models.F("unit"), delegate_body=models.F("body")),
            ),
            models.CheckConstraint(
                name="delegation_validity_order",
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
            ),
        ]

    def __str__(self):
        return f"Ủy quyền {self.document_number} ({self.unit})"

    @property
    def action_list(self) -> list[str]:
        return [a for a in self.actions.split(",") if a]

    def in_force(self, on: date) -> bool:
        if self.ended_on and self.ended_on <= on:
            return False
        return self.valid_from <= on and (self.valid_until is None or on <= self.valid_until)
