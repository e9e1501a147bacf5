import re

from django.db import models

from kiemdinh.core.text import fold
from kiemdinh.frameworks.choices import Confidence, Level4Status, Regime, RevisionKind, VersionStatus

SOURCE_KEY = re.compile(r"S_[A-Z0-9_]+")


class Provenance(models.Model):
    source = models.TextField("nguồn", blank=True)
    confidence = models.CharField("độ tin cậy", max_length=16, choices=Confidence.choices)
    note = models.TextField("ghi chú", blank=True)

    class Meta:
        abstract = True

    @property
    def is_exact(self) -> bool:
        return self.confidence == Confidence.EXACT


class FrameworkVersion(Provenance):
    """One regulation version (a circular, or one appendix of it). Published versions are never edited."""

    code = models.CharField("mã", max_length=32, unique=True)
    regime = models.CharField("chế độ", max_length=8, choices=Regime.choices)
    circular = models.CharField("văn bản", max_length=200)
    title = models.TextField("tên văn bản")
    variant = models.CharField("phụ lục", max_length=200, blank=True)
    school_types = models.JSONField("loại trường áp dụng", default=list)
    issued = models.DateField("ngày ban hành")
    effective = models.DateField("ngày hiệu lực", null=True, blank=True)
    effective_note = models.TextField(blank=True)
    status = models.CharField("trạng thái", max_length=16, choices=VersionStatus.choices)
    content_hash = models.CharField(max_length=64)
    level4_status = models.CharField("danh mục Mức 4", max_length=16, choices=Level4Status.choices)
    level4_note = models.TextField(blank=True)
    guidance_letter = models.TextField("văn bản hướng dẫn", blank=True)
    sources = models.JSONField("các nguồn", default=dict)
    rules = models.JSONField("quy tắc (tham khảo)", default=dict)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-issued", "code"]
        verbose_name = "phiên bản bộ tiêu chuẩn"
        verbose_name_plural = "phiên bản bộ tiêu chuẩn"

    def __str__(self):
        return f"{self.circular}{' — ' + self.variant if self.variant else ''}"

    def natural_key(self):
        return (self.code,)

    @property
    def short_name(self) -> str:
        return self.circular.replace("Thông tư ", "TT ").replace("/TT-BGDĐT", "")

    @property
    def criterion_levels(self) -> list[int]:
        return [1, 2, 3] if self.regime == Regime.R2018 else [1, 2]

    @property
    def is_tt57(self) -> bool:
        return self.regime == Regime.TT57

    @property
    def level4_badge(self) -> Confidence:
        """The badge of the Mức 4 list's state: a complete list shows as exact, a partial one as approximate."""
        return {Level4Status.COMPLETE: Confidence.EXACT, Level4Status.PARTIAL: Confidence.APPROXIMATE}.get(
            self.level4_status, Confidence.MISSING
        )

    def source_label(self, source: str) -> str:
        """Resolve a source mark such as "S_TDG_APP, dòng 7299" through the version's sources block (its first key)."""
        match = SOURCE_KEY.match(source or "")
        return self.sources.get(match[0], "") if match else ""


class Standard(Provenance):
    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="standards")
    code = models.CharField(max_length=8)
    name = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["version", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="standard_natural_key")]
        verbose_name = "tiêu chuẩn"
        verbose_name_plural = "tiêu chuẩn"

    def __str__(self):
        return f"Tiêu chuẩn {self.code}: {self.name}"


class Criterion(Provenance):
    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="criteria")
    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(max_length=8)
    name = models.CharField(max_length=300)
    name_variant = models.CharField(max_length=300, blank=True)
    mandatory = models.BooleanField("bắt buộc", default=False)
    position = models.PositiveSmallIntegerField()
    max_level = models.PositiveSmallIntegerField()
    suggested_evidence = models.TextField("minh chứng gợi ý", blank=True)
    quantitative_data = models.JSONField("dữ liệu định lượng chính", default=list, blank=True)
    amendments = models.JSONField("văn bản sửa đổi", default=list, blank=True)
    search_text = models.TextField(blank=True)

    class Meta:
        ordering = ["version", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="criterion_natural_key")]
        verbose_name = "tiêu chí"
        verbose_name_plural = "tiêu chí"

    def __str__(self):
        return f"Tiêu chí {self.code}: {self.name}"

    def save(self, *args, **kwargs):
        self.search_text = fold(f"{self.code} {self.name} {self.name_variant}")
        super().save(*args, **kwargs)


class Indicator(Provenance):
    """A chỉ báo: one lettered requirement (a, b, c) of a level, or the single requirement of a level (letter "")."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="indicators")
    level = models.PositiveSmallIntegerField("mức")
    letter = models.CharField(max_length=2, blank=True)
    text = models.TextField()
    position = models.PositiveSmallIntegerField()
    search_text = models.TextField(blank=True)

    class Meta:
        ordering = ["criterion", "level", "position"]
        constraints = [models.UniqueConstraint(fields=["criterion", "level", "letter"], name="indicator_natural_key")]
        verbose_name = "chỉ báo"
        verbose_name_plural = "chỉ báo"

    def __str__(self):
        return f"{self.criterion.code} Mức {self.level}{' ' + self.letter + ')' if self.letter else ''}"

    def save(self, *args, **kwargs):
        self.search_text = fold(self.text)
        super().save(*args, **kwargs)

    @property
    def label(self) -> str:
        return f"{self.letter})" if self.letter else ""


class Level4Item(Provenance):
    """One khoản of Điều 22 (Mục 4 Chương II): a school at Mức 3 reaches Mức 4 when it meets every item."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="level4_items")
    code = models.CharField(max_length=8)
    article = models.CharField("điều, khoản", max_length=40, blank=True)  # "khoản 1 Điều 22"
    text = models.TextField(blank=True)
    lang = models.CharField(max_length=4, blank=True)
    position = models.PositiveSmallIntegerField()
    search_text = models.TextField(blank=True)

    class Meta:
        ordering = ["version", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="level4_natural_key")]
        verbose_name = "tiêu chí Mức 4"
        verbose_name_plural = "tiêu chí Mức 4"

    def __str__(self):
        return f"Mức 4 — {self.code}"

    def save(self, *args, **kwargs):
        self.search_text = fold(self.text)
        super().save(*args, **kwargs)


class FrameworkRevision(models.Model):
    """A documented change of a version's data file, kept as history.

    An erratum corrects our transcription of the regulation (its law did not change); an amendment records the dated
    text of an amending circular beside the original. The loader accepts a changed published file only when the file
    carries the revision whose `previous_hash` is the stored content hash; `diff` keeps every value it replaced.
    """

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="revisions")
    code = models.CharField("mã", max_length=64)
    kind = models.CharField("loại", max_length=16, choices=RevisionKind.choices)
    date = models.DateField("ngày")
    reason = models.TextField("lý do")
    source = models.TextField("căn cứ, nguồn", blank=True)
    previous_hash = models.CharField(max_length=64)
    content_hash = models.CharField(max_length=64)  # the data file's hash when the revision was recorded
    renames = models.JSONField(default=dict, blank=True)  # {"level4_items": {"5+": "5"}}: rows kept, codes changed
    changes = models.JSONField("nội dung thay đổi", default=list, blank=True)  # declared in the file
    diff = models.JSONField(default=list, blank=True)  # computed over the stored rows: [{path, before, after}]
    applied_to_stored = models.BooleanField(default=False)  # False when the version was first loaded with it
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["version", "date", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="revision_natural_key")]
        verbose_name = "đính chính, sửa đổi dữ liệu bộ tiêu chuẩn"
        verbose_name_plural = "đính chính, sửa đổi dữ liệu bộ tiêu chuẩn"

    def __str__(self):
        return f"{self.version.code} · {self.code}"
