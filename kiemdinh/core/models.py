from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One recorded state change: who did what to which object, in which unit or school."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event_type = models.CharField(max_length=64, db_index=True)
    unit = models.ForeignKey(
        "units.AdministrativeUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    school = models.ForeignKey("units.School", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "sự kiện"
        verbose_name_plural = "nhật ký sự kiện"

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.event_type}"


class SubmitClaim(models.Model):
    """One form submission being handled or just handled, so that the same submission sent again (a double click, a
    resent request) is answered with the first one's response instead of being carried out twice (see
    kiemdinh.core.submits). One row per session: its latest submission, replaced by the next different one. Rows live
    seconds; expired ones are removed as new ones are written."""

    key = models.CharField(max_length=64, unique=True)  # SHA-256 of the session
    digest = models.CharField(max_length=64)  # SHA-256 of what was submitted: address, fields, files, htmx headers
    token = models.CharField(max_length=32)  # which request holds the claim
    expires_at = models.DateTimeField(db_index=True)
    done = models.BooleanField(default=False)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    headers = models.JSONField(default=list, blank=True)
    body = models.BinaryField(null=True, blank=True)

    class Meta:
        verbose_name = "lượt gửi biểu mẫu"
        verbose_name_plural = "lượt gửi biểu mẫu"

    def __str__(self):
        return f"{self.key[:12]} {'done' if self.done else 'running'}"
