"""Writes of emulation schemes, their rules and the officers' adjustments. Keyword-only, one transaction, one audit
event each. A closed scheme (đã chốt) changes no more until it is reopened."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.core.schoolyear import normalize_school_year
from kiemdinh.core.text import nfc
from kiemdinh.emulation.models import (
    EmulationRule,
    EmulationScheme,
    LevelMode,
    RecognitionWanted,
    RuleKind,
    SchemeStatus,
    ScoreAdjustment,
)
from kiemdinh.units.models import AdministrativeUnit, School

MAX_POINTS = Decimal("1000")
TENTH = Decimal("0.1")


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _record(*, actor, event_type: Event, obj, scheme: EmulationScheme, data: dict, school=None) -> None:
    audit.record(actor=actor, event_type=event_type, obj=obj, unit=scheme.unit, school=school, data=data)


def clean_points(value, field: str, *, label: str, allow_negative: bool = False) -> Decimal:
    """A score with at most one decimal ("8,5" or Decimal("8.5")); ValidationError on the field otherwise."""
    if value is None or str(value).strip() == "":
        raise ValidationError({field: f"Hãy ghi {label}."})
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValidationError({field: f"{label.capitalize()} phải là một số, ví dụ 2 hoặc 1,5."}) from None
    if not number.is_finite():
        raise ValidationError({field: f"{label.capitalize()} phải là một số, ví dụ 2 hoặc 1,5."})
    # The size first: rounding 1e30 to tenths needs more digits than the decimal context has (InvalidOperation).
    if not allow_negative and number < 0:
        raise ValidationError({field: f"{label.capitalize()} không được âm."})
    if abs(number) >= MAX_POINTS:
        raise ValidationError({field: f"{label.capitalize()} phải nhỏ hơn {MAX_POINTS}."})
    if number != number.quantize(TENTH, rounding=ROUND_HALF_UP):
        raise ValidationError({field: f"{label.capitalize()} chỉ ghi tối đa một chữ số thập phân."})
    return number.quantize(TENTH)


def _ensure_open(scheme: EmulationScheme) -> None:
    if scheme.is_closed:
        raise ValidationError("Bảng điểm đã chốt: hãy mở lại trước khi sửa.")


def _lock(scheme: EmulationScheme) -> EmulationScheme:
    return EmulationScheme.objects.select_for_update().select_related("unit").get(pk=scheme.pk)


# --- schemes --------------------------------------------------------------------------------------------------------


def _scheme_values(school_year: str, title: str, max_score, notes: str, signer_title: str, signer_name: str) -> dict:
    errors = {}
    try:
        school_year = normalize_school_year(school_year)
    except ValidationError as e:
        errors.update(e.message_dict)
    title = nfc(title).strip()
    if not title:
        errors["title"] = "Hãy ghi tên bảng điểm thi đua."
    elif len(title) > 300:
        errors["title"] = "Tên bảng điểm dài quá 300 ký tự."
    if max_score not in (None, ""):
        try:
            max_score = clean_points(max_score, "max_score", label="thang điểm")
        except ValidationError as e:
            errors.update(e.message_dict)
        else:
            if max_score <= 0:
                errors["max_score"] = "Thang điểm phải lớn hơn 0."
    else:
        max_score = None
    signer_title = nfc(signer_title).strip()
    if not signer_title:
        errors["signer_title"] = "Hãy ghi chức danh người ký, ví dụ TRƯỞNG PHÒNG."
    if errors:
        raise ValidationError(errors)
    return {
        "school_year": school_year,
        "title": title,
        "max_score": max_score,
        "notes": nfc(notes).strip(),
        "signer_title": signer_title[:120],
        "signer_name": nfc(signer_name).strip()[:200],
    }


@transaction.atomic
def scheme_create(
    *,
    actor,
    unit: AdministrativeUnit,
    school_year: str,
    title: str,
    max_score=None,
    notes: str = "",
    signer_title: str = "TRƯỞNG PHÒNG",
    signer_name: str = "",
) -> EmulationScheme:
    values = _scheme_values(school_year, title, max_score, notes, signer_title, signer_name)
    scheme = EmulationScheme.objects.create(unit=unit, created_by=_user(actor), **values)
    _record(
        actor=actor,
        event_type=Event.EMULATION_SCHEME_CREATED,
        obj=scheme,
        scheme=scheme,
        data={"school_year": scheme.school_year, "title": scheme.title},
    )
    return scheme


@transaction.atomic
def scheme_update(
    *,
    actor,
    scheme: EmulationScheme,
    school_year: str,
    title: str,
    max_score=None,
    notes: str = "",
    signer_title: str = "TRƯỞNG PHÒNG",
    signer_name: str = "",
) -> EmulationScheme:
    scheme = _lock(scheme)
    _ensure_open(scheme)
    values = _scheme_values(school_year, title, max_score, notes, signer_title, signer_name)
    changed = sorted(name for name, value in values.items() if getattr(scheme, name) != value)
    if not changed:
        return scheme
    for name, value in values.items():
        setattr(scheme, name, value)
    scheme.save()
    _record(
        actor=actor, event_type=Event.EMULATION_SCHEME_UPDATED, obj=scheme, scheme=scheme, data={"changed": changed}
    )
    return scheme


@transaction.atomic
def scheme_close(*, actor, scheme: EmulationScheme) -> EmulationScheme:
    """Chốt: rules and adjustments are frozen (the scores stay computed from the data)."""
    scheme = _lock(scheme)
    _ensure_open(scheme)
    if not scheme.rules.exists():
        raise ValidationError("Bảng điểm chưa có tiêu chí chấm điểm nào nên chưa chốt được.")
    scheme.status = SchemeStatus.CLOSED
    scheme.save(update_fields=["status", "updated_at"])
    _record(actor=actor, event_type=Event.EMULATION_SCHEME_CLOSED, obj=scheme, scheme=scheme, data={})
    return scheme


@transaction.atomic
def scheme_reopen(*, actor, scheme: EmulationScheme, reason: str) -> EmulationScheme:
    scheme = _lock(scheme)
    reason = nfc(reason).strip()
    if not scheme.is_closed:
        raise ValidationError("Bảng điểm đang được chấm, chưa chốt.")
    if not reason:
        raise ValidationError({"reason": "Hãy ghi lý do mở lại bảng điểm đã chốt."})
    scheme.status = SchemeStatus.DRAFT
    scheme.save(update_fields=["status", "updated_at"])
    _record(actor=actor, event_type=Event.EMULATION_SCHEME_REOPENED, obj=scheme, scheme=scheme, data={"reason": reason})
    return scheme


# --- rules ----------------------------------------------------------------------------------------------------------


def clean_parameters(kind: str, parameters: dict | None) -> dict:
    """The parameters a rule kind needs, checked and in their stored form; anything else is dropped."""
    raw = parameters or {}
    if kind == RuleKind.SA_SUBMITTED_ON_TIME:
        deadline = raw.get("deadline")
        if isinstance(deadline, str) and deadline:
            try:
                deadline = date.fromisoformat(deadline)
            except ValueError:
                deadline = None
        if not isinstance(deadline, date):
            raise ValidationError({"deadline": "Hãy ghi hạn nộp báo cáo tự đánh giá."})
        late = raw.get("late_points")
        late = Decimal("0") if late in (None, "") else clean_points(late, "late_points", label="điểm khi nộp muộn")
        return {"deadline": deadline.isoformat(), "late_points": str(late)}
    if kind == RuleKind.LEVEL_REACHED:
        mode = raw.get("mode") or LevelMode.MINIMUM
        if mode not in LevelMode.values:
            raise ValidationError({"mode": "Cách tính theo mức không hợp lệ."})
        if mode == LevelMode.PER_LEVEL:
            return {"mode": mode}
        try:
            level = int(raw.get("min_level") or 0)
        except (TypeError, ValueError):
            level = 0
        if not 1 <= level <= 4:
            raise ValidationError({"min_level": "Mức tối thiểu phải từ 1 đến 4."})
        return {"mode": mode, "min_level": level}
    if kind == RuleKind.RECOGNISED:
        decision_kind = raw.get("decision_kind") or RecognitionWanted.ANY
        if decision_kind not in RecognitionWanted.values:
            raise ValidationError({"decision_kind": "Loại quyết định công nhận không hợp lệ."})
        return {"decision_kind": decision_kind}
    return {}


def _rule_values(kind: str, label: str, points, parameters: dict | None) -> dict:
    errors = {}
    if kind not in RuleKind.values:
        raise ValidationError({"kind": "Hãy chọn cách tính của tiêu chí."})
    label = nfc(label).strip()
    if not label:
        errors["label"] = "Hãy ghi nội dung chấm điểm như in trong bảng."
    elif len(label) > 300:
        errors["label"] = "Nội dung chấm điểm dài quá 300 ký tự."
    try:
        points = clean_points(points, "points", label="điểm")
    except ValidationError as e:
        errors.update(e.message_dict)
    try:
        parameters = clean_parameters(kind, parameters)
    except ValidationError as e:
        errors.update(e.message_dict)
    if not errors and kind == RuleKind.SA_SUBMITTED_ON_TIME and Decimal(parameters["late_points"]) > points:
        errors["late_points"] = "Điểm khi nộp muộn không được lớn hơn điểm nộp đúng hạn."
    if errors:
        raise ValidationError(errors)
    return {"kind": kind, "label": label, "points": points, "parameters": parameters}


@transaction.atomic
def rule_create(
    *, actor, scheme: EmulationScheme, kind: str, label: str, points, parameters: dict | None = None
) -> EmulationRule:
    scheme = _lock(scheme)
    _ensure_open(scheme)
    values = _rule_values(kind, label, points, parameters)
    position = (scheme.rules.aggregate(m=Max("position"))["m"] or 0) + 1
    rule = EmulationRule.objects.create(scheme=scheme, position=position, **values)
    _record(
        actor=actor,
        event_type=Event.EMULATION_RULE_ADDED,
        obj=rule,
        scheme=scheme,
        data={"kind": rule.kind, "label": rule.label, "points": str(rule.points), "parameters": rule.parameters},
    )
    return rule


@transaction.atomic
def rule_update(
    *, actor, rule: EmulationRule, label: str, points, parameters: dict | None = None, position: int | None = None
) -> EmulationRule:
    """Change a rule's label, points and parameters (its kind stays: another kind is another rule)."""
    scheme = _lock(rule.scheme)
    _ensure_open(scheme)
    rule = EmulationRule.objects.select_for_update().get(pk=rule.pk, scheme=scheme)
    values = _rule_values(rule.kind, label, points, parameters)
    if position is not None:
        if not 1 <= int(position) <= 999:
            raise ValidationError({"position": "Thứ tự phải từ 1 đến 999."})
        values["position"] = int(position)
    changed = sorted(name for name, value in values.items() if getattr(rule, name) != value)
    if not changed:
        return rule
    for name, value in values.items():
        setattr(rule, name, value)
    rule.save()
    _record(
        actor=actor,
        event_type=Event.EMULATION_RULE_UPDATED,
        obj=rule,
        scheme=scheme,
        data={"changed": changed, "points": str(rule.points), "parameters": rule.parameters},
    )
    return rule


@transaction.atomic
def rule_delete(*, actor, rule: EmulationRule) -> None:
    scheme = _lock(rule.scheme)
    _ensure_open(scheme)
    _record(
        actor=actor,
        event_type=Event.EMULATION_RULE_DELETED,
        obj=rule,
        scheme=scheme,
        data={"kind": rule.kind, "label": rule.label},
    )
    rule.delete()


# --- adjustments ----------------------------------------------------------------------------------------------------


@transaction.atomic
def score_adjust(*, actor, scheme: EmulationScheme, school: School, points, reason: str) -> ScoreAdjustment:
    """Set the school's adjustment (cộng hoặc trừ điểm, 0 to cancel it) with a written reason. The previous value stays
    in the adjustment's history, with its reason."""
    scheme = _lock(scheme)
    _ensure_open(scheme)
    errors = {}
    reason = nfc(reason).strip()
    if not reason:
        errors["reason"] = "Hãy ghi lý do điều chỉnh điểm."
    try:
        points = clean_points(points, "points", label="điểm điều chỉnh", allow_negative=True)
    except ValidationError as e:
        errors.update(e.message_dict)
    if not School.objects.within(scheme.unit).filter(pk=school.pk).exists():
        errors["school"] = "Trường không thuộc đơn vị của bảng điểm."
    if errors:
        raise ValidationError(errors)
    adjustment = ScoreAdjustment.objects.select_for_update().filter(scheme=scheme, school=school).first()
    previous = str(adjustment.points) if adjustment else None
    if adjustment is None:
        adjustment = ScoreAdjustment(scheme=scheme, school=school)
    adjustment.points = points
    adjustment.reason = reason
    adjustment.by = _user(actor)
    adjustment.at = timezone.now()
    adjustment._change_reason = reason[:100]
    adjustment.save()
    _record(
        actor=actor,
        event_type=Event.EMULATION_SCORE_ADJUSTED,
        obj=adjustment,
        scheme=scheme,
        school=school,
        data={"points": str(points), "previous": previous, "reason": reason},
    )
    return adjustment
