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
