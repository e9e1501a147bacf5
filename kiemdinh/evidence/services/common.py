"""What the evidence writes share: the editable fields and their limits, the lock of a cycle's register (refused when
the cycle is not editable), the checks of a criterion and of an item's fields, the audit record of a write, and the
re-read of one link of a locked cycle."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.core.bounds import date_problem
from kiemdinh.core.text import clean, clean_name
from kiemdinh.evidence.models import CycleEvidence
from kiemdinh.frameworks.models import Criterion
from kiemdinh.selfassessment.models import Cycle
from kiemdinh.selfassessment.services import cycle_lock, ensure_editable

EDITABLE_FIELDS = ("name", "issue_ref", "issued_by", "note", "link", "valid_until")
MAX_LENGTHS = {"name": 1000, "issue_ref": 300, "issued_by": 300, "link": 1000}
_url_validator = URLValidator(schemes=["http", "https"])


def _lock_cycle(cycle: Cycle) -> Cycle:
    """Serialise writes of one cycle's register (codes are allocated as max + 1) and re-read its status."""
    locked = cycle_lock(cycle)
    ensure_editable(locked)
    return locked


def _check_criterion(cycle: Cycle, criterion: Criterion | None) -> Criterion:
    if criterion is None:
        raise ValidationError({"criterion": "Hãy chọn tiêu chí."})
    if criterion.version_id != cycle.framework_id:
        raise ValidationError(
            {"criterion": f"Tiêu chí {criterion.code} không thuộc bộ tiêu chuẩn của đợt tự đánh giá này."}
        )
    return criterion


def _clean_fields(values: dict) -> dict:
    """NFC, trimmed, length-checked fields of an item; a Vietnamese ValidationError per bad field."""
    cleaned, errors = {}, {}
    for key, value in values.items():
        if key == "valid_until":
            if value is not None and not isinstance(value, date):
                errors[key] = "Ngày hiệu lực không hợp lệ (ghi theo dạng ngày/tháng/năm)."
            elif problem := date_problem(value, "Hiệu lực đến"):
                errors[key] = problem
            cleaned[key] = value
            continue
        text = (clean_name if key == "name" else clean)(value)  # NFC, no bidi controls; invisible-only is empty
        limit = MAX_LENGTHS.get(key)
        if limit and len(text) > limit:
            errors[key] = f"Dài quá {limit} ký tự (hiện có {len(text)})."
        cleaned[key] = text
    if "name" in cleaned and not cleaned["name"]:
        errors["name"] = "Thiếu tên minh chứng."
    if cleaned.get("link") and "link" not in errors:
        try:
            _url_validator(cleaned["link"])
        except ValidationError:
            errors["link"] = "Đường dẫn không hợp lệ: hãy ghi đầy đủ, bắt đầu bằng http:// hoặc https://."
    if errors:
        raise ValidationError(errors)
    return cleaned


def _audit(actor, event_type: Event, obj, cycle: Cycle, data: dict) -> None:
    audit.record(
        actor=actor,
        event_type=event_type,
        obj=obj,
        unit=cycle.school.unit,
        school=cycle.school,
        data={"cycle": cycle.pk, **data},
    )


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _cycle_link(cycle_evidence: CycleEvidence) -> tuple[Cycle, CycleEvidence]:
    """Lock the cycle of a link and re-read the link (it may have gone meanwhile)."""
    cycle = _lock_cycle(cycle_evidence.cycle)
    try:
        link = CycleEvidence.objects.select_related("evidence", "version", "criterion").get(
            pk=cycle_evidence.pk, cycle=cycle
        )
    except CycleEvidence.DoesNotExist:
        raise ValidationError("Minh chứng này không còn trong đợt tự đánh giá.") from None
    return cycle, link
