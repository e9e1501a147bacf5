"""Evidence (minh chứng): items belong to a school and are linked into cycles with a code; files are never copied."""

from django.conf import settings
from django.db import models

from kiemdinh.units.models import ImportStatus


def evidence_upload_to(instance: "EvidenceFile", filename: str) -> str:
    # Content-addressed per school: the same bytes are stored once per school, whatever the versions citing them.
    return f"minh-chung/{instance.version.evidence.school_id}/{instance.sha256[:2]}/{instance.sha256}/{filename}"


class Evidence(models.Model):
    """An evidence item of a school: its identity across cycles. What it says (name, number and date, issuer, files)
    lives in its versions; a cycle cites one version, and a change made from one cycle never reaches the version
    another cycle cites (issue #18: an accepted dossier never changes)."""

    school = models.ForeignKey("units.School", on_delete=models.PROTECT, related_name="evidence_items")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = "minh chứng"
        verbose_name_plural = "minh chứng"

    def __str__(self):
        latest = self.latest_version()
        return latest.name if latest else f"Minh chứng {self.pk}"

    def latest_version(self) -> "EvidenceVersion | None":
        return self.versions.order_by("-number").first()


class EvidenceVersion(models.Model):
    """What an evidence item said at one time: its fields and its files.

    `cycle` is the cycle the version was made in (None for an item recorded outside any cycle). An edit from a cycle
    changes the version in place only when it was made in that cycle and no other cycle cites it; otherwise the edit
    makes a new version that only the editing cycle cites. Versions cited by a submitted or accepted cycle therefore
    never change.
    """

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("phiên bản")
    cycle = models.ForeignKey(
        "selfassessment.Cycle", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField("tên minh chứng", max_length=1000)
    issue_ref = models.CharField("số, ngày ban hành", max_length=300, blank=True)
    issued_by = models.CharField("nơi ban hành", max_length=300, blank=True)
    note = models.TextField("ghi chú", blank=True)
    link = models.URLField("đường dẫn", max_length=1000, blank=True)
    valid_until = models.DateField("hiệu lực đến", null=True, blank=True)
    search_text = models.TextField(editable=False, blank=True)  # folded name/issue/issuer for diacritics-free search
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["evidence_id", "number"]
        constraints = [models.UniqueConstraint(fields=["evidence", "number"], name="evidence_version_unique_number")]
        verbose_name = "phiên bản minh chứng"
        verbose_name_plural = "phiên bản minh chứng"

    def __str__(self):
        return self.name

    @property
    def school_id(self) -> int:
        return self.evidence.school_id


class EvidenceFile(models.Model):
    """One file of an evidence version. A new version gets copies of these rows pointing at the same stored bytes."""

    version = models.ForeignKey(EvidenceVersion, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=evidence_upload_to, max_length=500)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField()
    original_name = models.CharField("tên tệp", max_length=255)
    content_type = models.CharField(max_length=100)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.original_name


class CycleEvidence(models.Model):
    """An evidence item as used in one cycle, with its code there.

    2018: [Hn-a.b-cc] with n the box (= standard number), a.b the criterion it was first collected for, cc a sequence.
    TT57: MC.a.b.cc. A carried-over item keeps its code in the new cycle and cites the same version until it is
    edited there. `version` always belongs to `evidence`.
    """

    cycle = models.ForeignKey("selfassessment.Cycle", on_delete=models.CASCADE, related_name="evidence_links")
    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="cycle_links")
    version = models.ForeignKey(EvidenceVersion, on_delete=models.PROTECT, related_name="cycle_links")
    code = models.CharField("mã minh chứng", max_length=32)
    box = models.PositiveSmallIntegerField("hộp", null=True, blank=True)
    criterion = models.ForeignKey("frameworks.Criterion", on_delete=models.PROTECT, related_name="+")
    sequence = models.PositiveSmallIntegerField("số thứ tự")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["criterion__position", "sequence", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "code"], name="cycle_evidence_unique_code"),
            models.UniqueConstraint(fields=["cycle", "evidence"], name="cycle_evidence_once_per_cycle"),
        ]
        verbose_name = "minh chứng của đợt"
        verbose_name_plural = "minh chứng của đợt"

    def __str__(self):
        return f"{self.code} {self.version.name}"


class EvidenceCitation(models.Model):
    """An item listed under a criterion other than its own (shared evidence keeps its first code)."""

    cycle_evidence = models.ForeignKey(CycleEvidence, on_delete=models.CASCADE, related_name="citations")
    criterion = models.ForeignKey("frameworks.Criterion", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle_evidence", "criterion"], name="evidence_citation_unique"),
        ]

    def __str__(self):
        return f"{self.cycle_evidence_id} → {self.criterion_id}"


class EvidenceImportBatch(models.Model):
    """An uploaded evidence catalogue (Bảng danh mục mã minh chứng): checked rows shown for review, then committed.

    Only what the preview shows is stored; a discarded or expired batch keeps none. A person has at most one waiting.
    """

    cycle = models.ForeignKey("selfassessment.Cycle", on_delete=models.CASCADE, related_name="evidence_imports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    original_filename = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    rows = models.JSONField(default=list, blank=True)
    errors = models.JSONField(default=list, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by"],
                condition=models.Q(status=ImportStatus.PENDING),
                name="evidence_import_one_pending_per_user",
            )
        ]

    def __str__(self):
        return f"{self.original_filename} ({self.get_status_display()})"

    @property
    def is_committed(self) -> bool:
        return self.status == ImportStatus.COMMITTED

    @property
    def is_discarded(self) -> bool:
        return self.status == ImportStatus.DISCARDED
