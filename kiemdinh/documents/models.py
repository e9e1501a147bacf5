from django.conf import settings
from django.db import models


class ExportJob(models.Model):
    """A background export of many documents (all submitted reports of a unit) into one zip, with its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Đang chờ"
        RUNNING = "running", "Đang xuất"
        DONE = "done", "Hoàn thành"
        FAILED = "failed", "Lỗi"

    unit = models.ForeignKey("units.AdministrativeUnit", on_delete=models.CASCADE, related_name="export_jobs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("loại văn bản", max_length=32, default="report")
    fmt = models.CharField("định dạng", max_length=8, default="docx")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="xuat-van-ban/", blank=True, max_length=300)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.unit} · {self.kind} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        return 100 if self.status == self.Status.DONE else int(100 * self.done / self.total) if self.total else 0

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def is_failed(self) -> bool:
        return self.status == self.Status.FAILED

    @property
    def finished(self) -> bool:
        return self.is_done or self.is_failed
