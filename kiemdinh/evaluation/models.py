"""External evaluation (đánh giá ngoài): a school's registration, the evaluator network, the team and its work.

One external evaluation serves both recognitions in the 2018 regime: the team's agreed levels give the school level,
hence the accreditation grade and, from Mức 2, the national-standard level (the rule engine's mapping)."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from kiemdinh.frameworks.subjects import AboutSubject
from kiemdinh.recognition.models import RecognitionRound


class RegistrationStatus(models.TextChoices):
    SUBMITTED = "submitted", "Đã đăng ký, chờ xem xét"
    ACCEPTED = "accepted", "Được chấp nhận"
    RETURNED = "returned", "Bị trả lại"
    WITHDRAWN = "withdrawn", "Trường rút đăng ký"


class Registration(models.Model):
    """A school's request for external evaluation (đăng ký đánh giá ngoài) on an accepted self-assessment, for an
    accreditation grade and/or a national-standard level, first time or again."""

    cycle = models.ForeignKey("selfassessment.Cycle", on_delete=models.PROTECT, related_name="registrations")
    school = models.ForeignKey("units.School", on_delete=models.PROTECT, related_name="registrations")
    wants_accreditation = models.BooleanField("đề nghị công nhận đạt kiểm định", default=True)
    wants_national_standard = models.BooleanField("đề nghị công nhận đạt chuẩn quốc gia", default=True)
    requested_level = models.PositiveSmallIntegerField("mức đề nghị (theo tự đánh giá)")
    recognition_round = models.CharField("lần công nhận", max_length=8, choices=RecognitionRound.choices)
    cohort_completed = models.BooleanField("đã có ít nhất một khóa học sinh/trẻ hoàn thành chương trình", default=False)
    cohort_note = models.CharField("khóa đã hoàn thành (năm học)", max_length=200, blank=True)
    cohort_evidence = models.ForeignKey(
        "evidence.Evidence", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        "trạng thái", max_length=10, choices=RegistrationStatus.choices, default=RegistrationStatus.SUBMITTED
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField("ý kiến của cơ quan quản lý", blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle"],
                condition=Q(status__in=[RegistrationStatus.SUBMITTED, RegistrationStatus.ACCEPTED]),
                name="registration_one_open_per_cycle",
            ),
            models.CheckConstraint(
                name="registration_wants_something",
                condition=Q(wants_accreditation=True) | Q(wants_national_standard=True),
            ),
        ]
        verbose_name = "đăng ký đánh giá ngoài"
        verbose_name_plural = "đăng ký đánh giá ngoài"

    def __str__(self):
        return f"{self.school} — {self.cycle.school_year}"

    @property
    def is_submitted(self) -> bool:
        return self.status == RegistrationStatus.SUBMITTED

    @property
    def is_accepted(self) -> bool:
        return self.status == RegistrationStatus.ACCEPTED

    @property
    def is_returned(self) -> bool:
        return self.status == RegistrationStatus.RETURNED

    @property
    def wants_label(self) -> str:
        parts = []
        if self.wants_accreditation:
            parts.append("kiểm định chất lượng giáo dục")
        if self.wants_national_standard:
            parts.append("trường đạt chuẩn quốc gia")
        return " và ".join(parts)


class SchoolLevelTaught(models.TextChoices):
    KINDERGARTEN = "kindergarten", "Mầm non"
    PRIMARY = "primary", "Tiểu học"
    LOWER_SECONDARY = "lower_secondary", "Trung học cơ sở"
    UPPER_SECONDARY = "upper_secondary", "Trung học phổ thông"


class Evaluator(models.Model):
    """A member of the evaluator network (mạng lưới kiểm định, đánh giá viên)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="evaluator"
    )
    full_name = models.CharField("họ và tên", max_length=200)
    title = models.CharField("chức vụ", max_length=200, blank=True)
    unit = models.ForeignKey(
        "units.AdministrativeUnit", on_delete=models.PROTECT, related_name="evaluators", verbose_name="đơn vị công tác"
    )
    school = models.ForeignKey(
        "units.School", null=True, blank=True, on_delete=models.PROTECT, related_name="evaluators",
        verbose_name="trường công tác",
    )  # fmt: skip
    phone = models.CharField("điện thoại", max_length=40, blank=True)
    email = models.EmailField("thư điện tử", blank=True)
    levels = models.CharField("cấp học được đánh giá", max_length=100)  # "kindergarten,primary"
    training = models.TextField("đào tạo, bồi dưỡng", blank=True)
    certificate = models.CharField("chứng chỉ / quyết định công nhận đánh giá viên", max_length=200, blank=True)
    certificate_on = models.DateField("ngày cấp", null=True, blank=True)
    is_active = models.BooleanField("còn hoạt động", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["full_name"]
        verbose_name = "đánh giá viên"
        verbose_name_plural = "mạng lưới đánh giá viên"

    def __str__(self):
        return self.full_name

    @property
    def level_list(self) -> list[str]:
        return [v for v in self.levels.split(",") if v]


class TeamStatus(models.TextChoices):
    ESTABLISHED = "established", "Đã thành lập"
    WORKING = "working", "Đang đánh giá"
    DRAFT_REPORT = "draft_report", "Dự thảo báo cáo, chờ ý kiến trường"
    DONE = "done", "Đã hoàn thành báo cáo"


class Team(models.Model):
    """The external evaluation team (đoàn đánh giá ngoài) of one registration, with its decision and stages."""

    registration = models.OneToOneField(Registration, on_delete=models.PROTECT, related_name="team")
    issuer = models.CharField("cơ quan ra quyết định", max_length=200)
    decision_number = models.CharField("số quyết định thành lập đoàn", max_length=64, blank=True)
    decision_on = models.DateField("ngày quyết định", null=True, blank=True)
    signer_name = models.CharField("người ký", max_length=200, blank=True)
    dossier_from = models.DateField("nghiên cứu hồ sơ từ ngày")
    dossier_to = models.DateField("nghiên cứu hồ sơ đến ngày", null=True, blank=True)
    preliminary_on = models.DateField("khảo sát sơ bộ", null=True, blank=True)
    official_from = models.DateField("khảo sát chính thức từ ngày", null=True, blank=True)
    official_to = models.DateField("khảo sát chính thức đến ngày", null=True, blank=True)
    draft_report_on = models.DateField("dự thảo báo cáo", null=True, blank=True)
    feedback_until = models.DateField("trường góp ý đến ngày", null=True, blank=True)
    final_report_on = models.DateField("báo cáo chính thức", null=True, blank=True)
    ends_on = models.DateField("kết thúc làm việc")  # after it, members no longer see the school's dossier
    status = models.CharField("trạng thái", max_length=14, choices=TeamStatus.choices, default=TeamStatus.ESTABLISHED)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "đoàn đánh giá ngoài"
        verbose_name_plural = "đoàn đánh giá ngoài"
        constraints = [
            models.CheckConstraint(name="team_dates_order", condition=Q(ends_on__gte=models.F("dossier_from")))
        ]

    def __str__(self):
        return f"Đoàn ĐGN {self.registration.school}"

    def is_open(self, on: date) -> bool:
        return self.dossier_from <= on <= self.ends_on


class MemberRole(models.TextChoices):
    LEADER = "leader", "Trưởng đoàn"
    SECRETARY = "secretary", "Thư ký"
    MEMBER = "member", "Thành viên"


class TeamMember(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    evaluator = models.ForeignKey(Evaluator, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField("nhiệm vụ", max_length=10, choices=MemberRole.choices)
    unit_label = models.CharField("đơn vị công tác (khi tham gia)", max_length=300, blank=True)
    # Why the officer confirmed that a namesake on the school's records is another person (conflicts.py); blank when
    # no name matched.
    namesake_note = models.TextField("xác nhận không phải cùng một người", blank=True)
    criteria = models.ManyToManyField("frameworks.Criterion", blank=True, related_name="+")
    level4_items = models.ManyToManyField("frameworks.Level4Item", blank=True, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["team", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "evaluator"], name="team_member_once"),
            models.UniqueConstraint(fields=["team"], condition=Q(role=MemberRole.LEADER), name="team_one_leader"),
        ]
        verbose_name = "thành viên đoàn"
        verbose_name_plural = "thành viên đoàn"

    def __str__(self):
        return f"{self.evaluator} ({self.get_role_display()})"


class MemberReview(AboutSubject, models.Model):
    """A member's preliminary report on one assigned criterion (phiếu đánh giá tiêu chí của thành viên đoàn)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="reviews")
    member = models.ForeignKey(TeamMember, on_delete=models.CASCADE, related_name="reviews")
    criterion = models.ForeignKey(
        "frameworks.Criterion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    level4_item = models.ForeignKey(
        "frameworks.Level4Item", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description_comments = models.TextField("nhận xét phần mô tả hiện trạng", blank=True)
    strengths = models.TextField("điểm mạnh", blank=True)
    weaknesses = models.TextField("điểm yếu", blank=True)
    evidence_problems = models.TextField("vấn đề về minh chứng", blank=True)
    recommendations = models.TextField("khuyến nghị", blank=True)
    proposed_level = models.PositiveSmallIntegerField("mức đề xuất", null=True, blank=True)  # 0 = chưa đạt Mức 1
    level4_achieved = models.BooleanField("đạt (tiêu chí Mức 4)", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "criterion"], condition=Q(criterion__isnull=False), name="review_once_per_criterion"
            ),
            models.UniqueConstraint(
                fields=["member", "level4_item"], condition=Q(level4_item__isnull=False), name="review_once_per_item"
            ),
            models.CheckConstraint(
                name="review_one_subject",
                condition=Q(criterion__isnull=False, level4_item__isnull=True)
                | Q(criterion__isnull=True, level4_item__isnull=False),
            ),
        ]
        verbose_name = "phiếu đánh giá của thành viên"
        verbose_name_plural = "phiếu đánh giá của thành viên"

    def __str__(self):
        return f"{self.member}: {self.criterion or self.level4_item}"


class TeamRating(AboutSubject, models.Model):
    """The level the team agreed for a criterion (or whether a Mức 4 item is met)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="ratings")
    criterion = models.ForeignKey(
        "frameworks.Criterion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    level4_item = models.ForeignKey(
        "frameworks.Level4Item", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    level = models.PositiveSmallIntegerField("mức thống nhất", null=True, blank=True)
    achieved = models.BooleanField("đạt (tiêu chí Mức 4)", null=True, blank=True)
    note = models.TextField("ghi chú của đoàn", blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "criterion"], condition=Q(criterion__isnull=False), name="rating_once_per_criterion"
            ),
            models.UniqueConstraint(
                fields=["team", "level4_item"], condition=Q(level4_item__isnull=False), name="rating_once_per_item"
            ),
        ]
        verbose_name = "mức đoàn thống nhất"
        verbose_name_plural = "mức đoàn thống nhất"

    def __str__(self):
        return f"{self.criterion or self.level4_item}: {self.level if self.level is not None else self.achieved}"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Dự thảo"
    SENT = "sent", "Đã gửi trường góp ý"
    FINAL = "final", "Chính thức"


class EvaluationReport(models.Model):
    """The team's report (báo cáo đánh giá ngoài): its narrative parts, the round with the school (the draft is sent,
    the school answers — the answers are kept), then the final version."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="report")
    introduction = models.TextField("phần mở đầu", blank=True)
    overview = models.TextField("tóm tắt kết quả đánh giá", blank=True)
    conclusions = models.TextField("kết luận", blank=True)
    recommendations = models.TextField("kiến nghị", blank=True)
    status = models.CharField("trạng thái", max_length=8, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    sent_at = models.DateTimeField(null=True, blank=True)
    finalised_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "báo cáo đánh giá ngoài"
        verbose_name_plural = "báo cáo đánh giá ngoài"

    def __str__(self):
        return f"Báo cáo ĐGN {self.team.registration.school}"

    @property
    def is_draft(self) -> bool:
        return self.status == ReportStatus.DRAFT

    @property
    def is_sent(self) -> bool:
        return self.status == ReportStatus.SENT


class SchoolFeedback(models.Model):
    """The school's answer to the draft report (fact-check round): kept, with the team's reply."""

    report = models.ForeignKey(EvaluationReport, on_delete=models.CASCADE, related_name="feedback")
    criterion = models.ForeignKey(
        "frameworks.Criterion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField("ý kiến của trường")
    submitted_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reply = models.TextField("ý kiến của đoàn", blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["report", "submitted_at", "id"]
        verbose_name = "ý kiến của trường về dự thảo"
        verbose_name_plural = "ý kiến của trường về dự thảo"

    def __str__(self):
        return self.text[:60]


class Publication(models.Model):
    """What a school's results show on the public pages: a summary of its self-assessment and of its external
    evaluation, published by the authority. Nothing unpublished appears."""

    school = models.ForeignKey("units.School", on_delete=models.CASCADE, related_name="publications")
    team = models.OneToOneField(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="publication")
    summary = models.TextField("tóm tắt công bố")
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at"]
        verbose_name = "công bố kết quả"
        verbose_name_plural = "công bố kết quả"

    def __str__(self):
        return f"Công bố {self.school}"
