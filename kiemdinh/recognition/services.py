"""Writes of recognition decisions and delegations. Keyword-only, one transaction, one audit event each.

Who may enter, correct and revoke a decision is the rule table's (recognition.authority): each service asks it first,
so a refused call changes nothing. Every change of a decision is kept in its history with who made it and why.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from kiemdinh.accounts.access import user_scope
from kiemdinh.accounts.models import Body
from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.core.bounds import date_problem
from kiemdinh.core.text import clean, nfc
from kiemdinh.frameworks.choices import Regime
from kiemdinh.recognition import authority
from kiemdinh.recognition.authority import Action
from kiemdinh.recognition.models import (
    VALID_YEARS,
    Decision,
    DecisionKind,
    Delegation,
    RecognitionRound,
    years_after,
)
from kiemdinh.units.models import TT57_FROM

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
    regime: str = ""  # the regulations it was decided under; blank: those in force on its signing date


def decision_input_errors(data: DecisionInput) -> dict[str, str]:
    """What is wrong with a decision's data, by field (empty when nothing is); also used when issuing from a team."""
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
    if data.regime and data.regime not in Regime.values:
        errors["regime"] = "Hãy chọn quy định áp dụng."
    elif data.regime == Regime.TT57 and data.decided_on and data.decided_on < TT57_FROM:
        errors["regime"] = (
            f"Thông tư 57/2026 áp dụng từ ngày {TT57_FROM:%d/%m/%Y}; quyết định ký trước ngày đó theo quy định năm 2018."
        )
    return errors


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _saved(decision: Decision, actor, reason: str) -> Decision:
    """Save the decision, its history row naming who and why."""
    decision._history_user = _user(actor)
    decision._change_reason = reason
    decision.save()
    return decision


def _as(verdict) -> str:
    """ " (Ủy ban nhân dân tỉnh X)" or " (Sở …, được Ủy ban nhân dân tỉnh X ủy quyền (văn bản số …))": what the history
    says the officer acted as."""
    return f" ({verdict.acting_as})" if verdict.acting_as else ""


@transaction.atomic
def decision_record(*, actor, school, data: DecisionInput) -> Decision:
    """Record a decision already signed on paper: only by its issuing body (or one it delegated to), by the rule table
    of the regime in force on its signing date."""
    verdict = None
    if data.kind in DecisionKind.values:
        # The regime stated, else the one in force on the signing date; without either (an error reported below),
        # the user must be the issuing body of this kind under one of the regimes at least.
        if data.regime in Regime.values:
            regimes = [data.regime]
        else:
            dated = data.decided_on and not date_problem(data.decided_on, "Ngày ký")  # 9999 is refused below
            regimes = [authority.regime_on(data.decided_on)] if dated else list(Regime.values)
        may = authority.Authority(actor)
        units = authority.units_of(school)
        verdicts = [
            may.check(action=Action.DECISION_ENTER, school=school, regime=regime, kind=data.kind, units=units)
            for regime in regimes
        ]
        verdict = next((v for v in verdicts if v.allowed), None)
        if verdict is None:
            raise PermissionDenied(" ".join(dict.fromkeys(v.message for v in verdicts)))
    errors = decision_input_errors(data)
    number = nfc(data.number).strip()
    if number and Decision.objects.filter(school=school, kind=data.kind, number=number).exists():
        # The same paper decision entered twice (two officers, or a resent form): one record per school.
        errors["number"] = f"Quyết định số {number} đã được ghi cho {school.name}."
    if errors:
        raise ValidationError(errors)
    decision = Decision(
        school=school,
        kind=data.kind,
        regime=verdict.regime,
        level=data.level,
        recognition_round=data.recognition_round,
        number=nfc(data.number).strip(),
        decided_on=data.decided_on,
        issuer=nfc(data.issuer).strip() or (verdict.acting_for.name if verdict and verdict.acting_for else ""),
        signer_name=nfc(data.signer_name).strip(),
        valid_from=data.decided_on,
        valid_until=data.valid_until or years_after(data.decided_on, VALID_YEARS),
        note=nfc(data.note).strip(),
        created_by=_user(actor),
    )
    _saved(decision, actor, "Ghi quyết định đã ký" + _as(verdict))
    audit.record(
        actor=actor,
        event_type=Event.DECISION_RECORDED,
        obj=decision,
        school=school,
        unit=school.unit,
        data={
            "kind": decision.kind,
            "level": decision.level,
            "number": decision.number,
            **_acting(verdict),
        },
    )
    return decision


def _acting(verdict) -> dict:
    if verdict is None or verdict.acting_for is None:
        return {}
    found = {"acting_for": verdict.acting_for.name}
    if verdict.delegation is not None:
        found["delegation"] = verdict.delegation.pk
    return found


def _locked(decision: Decision) -> Decision:
    return (
        Decision.objects.select_for_update(of=("self",))
        .select_related("school__unit", "team__registration__cycle__framework")
        .get(pk=decision.pk)
    )


@dataclass(frozen=True)
class Correction:
    """A decision's text as corrected (đính chính): what was mis-entered. The kind and the level are what the decision
    decides, not its text: a different level is another decision (revoke this one, enter that one)."""

    number: str
    decided_on: date | None
    valid_until: date | None
    issuer: str = ""
    signer_name: str = ""
    note: str = ""


CORRECTED_FIELDS = ("number", "decided_on", "valid_until", "issuer", "signer_name", "note")


@transaction.atomic
def decision_correct(*, actor, decision: Decision, data: Correction, reason: str) -> Decision:
    """Correct what was entered of a decision (number, dates, issuer, signer, note), with the reason; by the body that
    issued it. The earlier text stays in the decision's history."""
    decision = _locked(decision)
    verdict = authority.for_decision(actor, Action.DECISION_CORRECT, decision)
    if not verdict.allowed:
        raise PermissionDenied(verdict.message)
    reason = clean(reason)
    values = {
        "number": clean(data.number),
        "decided_on": data.decided_on,
        "valid_until": data.valid_until,
        "issuer": clean(data.issuer),
        "signer_name": clean(data.signer_name),
        "note": clean(data.note),
    }
    errors = {}
    if decision.revoked_on:
        errors["__all__"] = "Quyết định này đã bị thu hồi; không đính chính được."
    if not reason:
        errors["reason"] = "Hãy ghi lý do đính chính."
    if values["decided_on"] is None:
        errors["decided_on"] = "Hãy ghi ngày ký quyết định."
    if values["valid_until"] is None:
        errors["valid_until"] = "Hãy ghi ngày hết hiệu lực."
    elif values["decided_on"] and values["valid_until"] <= values["decided_on"]:
        errors["valid_until"] = "Ngày hết hiệu lực phải sau ngày ký."
    final_on = decision.team.final_report_on if decision.team_id else None
    if values["decided_on"] and final_on and values["decided_on"] < final_on:
        errors["decided_on"] = f"Ngày ký không thể trước ngày báo cáo đánh giá ngoài chính thức ({final_on:%d/%m/%Y})."
    changed = {name: value for name, value in values.items() if getattr(decision, name) != value}
    if not errors and not changed:
        errors["__all__"] = "Nội dung đính chính giống hệt quyết định hiện tại."
    if errors:
        raise ValidationError(errors)
    before = {name: _plain(getattr(decision, name)) for name in changed}
    for name, value in changed.items():
        setattr(decision, name, value)
    decision.valid_from = decision.decided_on
    _saved(decision, actor, f"Đính chính: {reason}" + _as(verdict))
    audit.record(
        actor=actor,
        event_type=Event.DECISION_CORRECTED,
        obj=decision,
        school=decision.school,
        unit=decision.school.unit,
        data={
            "reason": reason,
            "before": before,
            "after": {name: _plain(value) for name, value in changed.items()},
            **_acting(verdict),
        },
    )
    return decision


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


@transaction.atomic
def decision_revoke(*, actor, decision: Decision, revoked_on: date | None, reason: str) -> Decision:
    """Revoke a decision (thu hồi) from a date, with the reason: by the body that issued it. It stays recorded, with
    its history; the public pages stop showing it."""
    decision = _locked(decision)
    verdict = authority.for_decision(actor, Action.DECISION_REVOKE, decision)
    if not verdict.allowed:
        raise PermissionDenied(verdict.message)
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
    _saved(decision, actor, f"Thu hồi: {reason}" + _as(verdict))
    audit.record(
        actor=actor,
        event_type=Event.DECISION_REVOKED,
        obj=decision,
        school=decision.school,
        unit=decision.school.unit,
        data={"revoked_on": revoked_on.isoformat(), "reason": reason, **_acting(verdict)},
    )
    return decision


# --- Delegations -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DelegationInput:
    unit: object  # the delegating body's unit
    body: str
    delegate_unit: object
    delegate_body: str
    actions: tuple[str, ...]
    document_number: str
    document_on: date | None
    valid_from: date | None
    kind: str = ""  # blank: decisions of both kinds
    signer_name: str = ""
    valid_until: date | None = None


def _may_delegate(actor, unit, body: str) -> bool:
    """The body's own officers record its delegations (and end them); the system too."""
    if actor is None:
        return True
    return getattr(actor, "is_authenticated", False) and user_scope(actor).works_for(unit.pk, body)


@transaction.atomic
def delegation_grant(*, actor, data: DelegationInput) -> Delegation:
    """Record a body's written delegation of some actions of the rule table to another body of its province."""
    if not _may_delegate(actor, data.unit, data.body):
        raise PermissionDenied(
            f"Chỉ cán bộ của {authority.body_name(data.unit, data.body)} ghi được văn bản ủy quyền của cơ quan này."
        )
    errors = {}
    actions = tuple(dict.fromkeys(data.actions))
    if not actions or any(a not in Action.values for a in actions):
        errors["actions"] = "Hãy chọn việc được ủy quyền."
    if data.kind and data.kind not in DecisionKind.values:
        errors["kind"] = "Hãy chọn loại quyết định."
    if data.body not in Body.values or data.delegate_body not in Body.values:
        errors["delegate_body"] = "Hãy chọn cơ quan."
    elif data.delegate_unit.pk == data.unit.pk and data.delegate_body == data.body:
        errors["delegate_body"] = "Cơ quan không tự ủy quyền cho chính mình."
    elif not data.delegate_unit.path.startswith(authority.province_path(data.unit.path)):
        errors["delegate_unit"] = "Chỉ ủy quyền cho cơ quan trong cùng tỉnh."
    if not clean(data.document_number):
        errors["document_number"] = "Hãy ghi số văn bản ủy quyền."
    if data.document_on is None:
        errors["document_on"] = "Hãy ghi ngày văn bản ủy quyền."
    if data.valid_from is None:
        errors["valid_from"] = "Hãy ghi ngày bắt đầu ủy quyền."
    elif data.valid_until and data.valid_until < data.valid_from:
        errors["valid_until"] = "Ngày kết thúc ủy quyền không thể trước ngày bắt đầu."
    if errors:
        raise ValidationError(errors)
    delegation = Delegation(
        unit=data.unit,
        body=data.body,
        delegate_unit=data.delegate_unit,
        delegate_body=data.delegate_body,
        actions=",".join(actions),
        kind=data.kind,
        document_number=clean(data.document_number),
        document_on=data.document_on,
        signer_name=clean(data.signer_name),
        valid_from=data.valid_from,
        valid_until=data.valid_until,
        created_by=_user(actor),
    )
    delegation._history_user = _user(actor)
    delegation.save()
    audit.record(
        actor=actor,
        event_type=Event.DELEGATION_GRANTED,
        obj=delegation,
        unit=data.unit,
        data={
            "from": authority.body_name(data.unit, data.body),
            "to": authority.body_name(data.delegate_unit, data.delegate_body),
            "actions": list(actions),
            "kind": data.kind,
            "document": delegation.document_number,
        },
    )
    return delegation


@transaction.atomic
def delegation_end(*, actor, delegation: Delegation, ended_on: date | None, reason: str) -> Delegation:
    delegation = Delegation.objects.select_for_update().select_related("unit").get(pk=delegation.pk)
    if not _may_delegate(actor, delegation.unit, delegation.body):
        raise PermissionDenied(
            f"Chỉ cán bộ của {authority.body_name(delegation.unit, delegation.body)} chấm dứt được ủy quyền này."
        )
    reason = clean(reason)
    errors = {}
    if delegation.ended_on:
        errors["ended_on"] = "Ủy quyền này đã chấm dứt."
    elif ended_on is None:
        errors["ended_on"] = "Hãy ghi ngày chấm dứt."
    if not reason:
        errors["ended_reason"] = "Hãy ghi lý do chấm dứt."
    if errors:
        raise ValidationError(errors)
    delegation.ended_on = ended_on
    delegation.ended_reason = reason
    delegation._history_user = _user(actor)
    delegation._change_reason = reason
    delegation.save()
    audit.record(
        actor=actor,
        event_type=Event.DELEGATION_ENDED,
        obj=delegation,
        unit=delegation.unit,
        data={"ended_on": ended_on.isoformat(), "reason": reason},
    )
    return delegation
