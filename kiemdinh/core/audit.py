from kiemdinh.core.models import AuditEvent


def record(*, actor, event_type: str, obj=None, unit=None, school=None, data: dict | None = None) -> AuditEvent:
    """Record one audit event; called inside the service's transaction."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        event_type=event_type,
        unit=unit,
        school=school,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        data=data or {},
    )
