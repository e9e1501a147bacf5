"""Writes of recognition decisions. Keyword-only, one transaction, one audit event each."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from kiemdinh.core import audit
from kiemdinh.core.bounds import date_problem
from kiemdinh.core.text import nfc
from kiemdinh.recognition.models import VALID_YEARS, Decision, DecisionKind, RecognitionRound, years_after

LEVEL_RANGES = {DecisionKind.ACCREDITATION: (1, 4), DecisionKind.NATIONAL_STANDARD: (1, 2)}


@dataclass(frozen=True)
class DecisionInput:
    kind: str
    level: int | None
    decided_on: date | None
    number: str = ""
    issuer: str = ""
    signer_name: str = ""
    recognition_round: str = RecognitionRound.FIRST
    valid_until: date | None = None  # 5 years from signing unless the decision states otherwise
    note: str = ""


def _check(data: DecisionInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.kind not in DecisionKind.values:
        errors["kind"] = "Hãy chọn loại công nhận."
    elif data.level is None:
        errors["level"] = "Hãy ghi cấp độ hoặc mức độ được công nhận."
    else:
        low, high = LEVEL_RANGES[DecisionKind(data.kind)]
        if not low <= data.level <= high:
            what = "Cấp độ" if data.kind == DecisionKind.ACCREDITATION else "Mức độ"
            errors["level"] = f"{what} phải từ {low} đến {high}."
    if data.decided_on is None:
        errors["decided_on"] = "Hãy ghi ngày ký quyết định."
    for name, label in (("decided_on", "Ngày ký"), ("valid_until", "Ngày hết hiệu lực")):
        if problem := date_problem(getattr(data, name), label):  # e.g. 9999: its five years of validity overflow
            errors[name] = problem
    if data.recognition_round not in RecognitionRound.values:
        errors["recognition_round"] = "Hãy chọn công nhận lần đầu hay công nhận lại."
    if data.valid_until and data.decided_on and data.valid_until <= data.decided_on and not errors:
        errors["valid_until"] = "Ngày hết hiệu lực phải sau ngày ký."
    return errors


@transaction.atomic
def decision_record(*, actor, school, data: DecisionInput) -> Decision:
    """Record a decision already signed on paper (or issued from an evaluation)."""
    errors = _check(data)
    number = nfc(data.number).strip()
    if number and Decision.objects.filter(school=school, kind=data.kind, number=number).exists():
        # The same paper decision entered twice (two officers, or a resent form): one record per school.
        errors["number"] = f"Quyết định số {number} đã được ghi cho {school.name}."
    if errors:
        raise ValidationError(errors)
    decision = Decision.objects.create(
        school=school,
        kind=data.kind,
        level=data.level,
        recognition_round=data.recognition_round,
        number=nfc(data.number).strip(),
        decided_on=data.decided_on,
        issuer=nfc(data.issuer).strip(),
        signer_name=nfc(data.signer_name).strip(),
        valid_from=data.decided_on,
        valid_until=data.valid_until or years_after(data.decided_on, VALID_YEARS),
        note=nfc(data.note).strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(
        actor=actor,
        event_type="decision.recorded",
        obj=decision,
        school=school,
        unit=school.unit,
        data={"kind": decision.kind, "level": decision.level, "number": decision.number},
    )
    return decision


@transaction.atomic
def decision_revoke(*, actor, decision: Decision, revoked_on: date | None, reason: str) -> Decision:
    reason = nfc(reason).strip()
    errors = {}
    if revoked_on is None:
        errors["revoked_on"] = "Hãy ghi ngày thu hồi."
    elif problem := date_problem(revoked_on, "Ngày thu hồi"):
        errors["revoked_on"] = problem
    elif revoked_on < decision.valid_from:
        errors["revoked_on"] = "Ngày thu hồi không thể trước ngày quyết định có hiệu lực."
    if not reason:
        errors["revoked_reason"] = "Hãy ghi lý do thu hồi."
    if decision.revoked_on:
        errors["revoked_on"] = "Quyết định này đã bị thu hồi."
    if errors:
        raise ValidationError(errors)
    decision.revoked_on = revoked_on
    decision.revoked_reason = reason
    decision.save(update_fields=["revoked_on", "revoked_reason"])
    audit.record(
        actor=actor,
        event_type="decision.revoked",
        obj=decision,
        school=decision.school,
        unit=decision.school.unit,
        data={"revoked_on": revoked_on.isoformat(), "reason": reason},
    )
    return decision
