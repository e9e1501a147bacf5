"""A cycle itself: creating it, the one check that its content may change, its row lock, its ratings and status."""

from django.core.exceptions import ValidationError
from django.db import transaction

from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.core.schoolyear import normalize_school_year, school_year_start
from kiemdinh.frameworks.models import FrameworkVersion, Indicator, Level4Item
from kiemdinh.selfassessment.models import (
    Cycle,
    CycleStatus,
    CycleTransition,
    IndicatorRating,
    Level4Rating,
)
from kiemdinh.units.models import School


@transaction.atomic
def cycle_create(*, actor, school: School, school_year: str, framework: FrameworkVersion | None = None) -> Cycle:
    """Create a school's self-assessment for a school year, on the framework in force then (or the one given): the
    cycle alone. Opening one as a user does, with carry-over from an earlier cycle, is `workflow.services.cycle_open`.
    """
    school_year = normalize_school_year(school_year)
    if framework is None:
        code = school.framework_code(on=school_year_start(school_year))
        framework = FrameworkVersion.objects.filter(code=code).first()
        if framework is None:
            raise ValidationError(
                {"framework": f"Chưa nạp bộ tiêu chuẩn {code}; chạy ./scripts/manage load_frameworks trước."}
            )
    elif framework.school_types and school.school_type not in framework.school_types:
        raise ValidationError(
            {"framework": f"{framework} không áp dụng cho {school.get_school_type_display().lower()}."}
        )
    if Cycle.objects.filter(school=school, school_year=school_year).exists():
        raise ValidationError({"school_year": f"{school.name} đã có đợt tự đánh giá năm học {school_year}."})
    cycle = Cycle.objects.create(
        school=school,
        framework=framework,
        school_year=school_year,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(
        actor=actor,
        event_type=Event.CYCLE_OPENED,
        obj=cycle,
        unit=school.unit,
        school=school,
        data={"school_year": school_year, "framework": framework.code},
    )
    CycleTransition.objects.create(
        cycle=cycle, kind=CycleTransition.Kind.OPENED, to_status=cycle.status, actor=cycle.created_by
    )
    return cycle


def ensure_editable(cycle: Cycle) -> None:
    """Every write to a cycle's content refuses a submitted or accepted cycle (the views check too; this is the
    guarantee). The one check for the council, plan, worksheet, evidence, forms and ratings."""
    if not cycle.is_editable:
        raise ValidationError(cycle.read_only_reason)


def cycle_lock(cycle: Cycle) -> Cycle:
    """Re-read a cycle with a row lock (serialising its writes) and the relations every service uses."""
    return Cycle.objects.select_for_update().select_related("school__unit", "framework").get(pk=cycle.pk)


def _level_number(value) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@transaction.atomic
def cycle_record_ratings(
    *,
    actor,
    cycle: Cycle,
    indicators: dict[str, dict[int, dict[str, bool]]],
    level4: dict[str, bool],
) -> Cycle:
    """Record (insert or update) indicator and Mức 4 results of a cycle; what is left out stays as it was.

    indicators: {criterion code: {level: {letter: achieved}}}, "" being the letter of an unlettered requirement.
    Everything is checked against the cycle's framework before anything is written.
    """
    ensure_editable(cycle)
    version = cycle.framework
    known = {
        (code, level, letter): pk
        for pk, code, level, letter in Indicator.objects.filter(criterion__version=version).values_list(
            "pk", "criterion__code", "level", "letter"
        )
    }
    criterion_codes = {code for code, _, _ in known}
    criterion_levels = {(code, level) for code, level, _ in known}
    items = dict(Level4Item.objects.filter(version=version).values_list("code", "pk"))

    wanted_indicators: dict[int, bool] = {}
    for code, levels in (indicators or {}).items():
        if code not in criterion_codes:
            raise ValidationError({"indicators": f"Tiêu chí “{code}” không có trong {version}."})
        for raw_level, letters in levels.items():
            level = _level_number(raw_level)
            if level is None or (code, level) not in criterion_levels:
                raise ValidationError({"indicators": f"Tiêu chí {code} không có Mức {raw_level}."})
            for letter, achieved in letters.items():
                pk = known.get((code, level, letter))
                if pk is None:
                    where = f"chỉ báo {letter})" if letter else "yêu cầu không đánh chữ"
                    raise ValidationError({"indicators": f"Tiêu chí {code} Mức {level} không có {where}."})
                if not isinstance(achieved, bool):
                    raise ValidationError(
                        {"indicators": f"Kết quả của tiêu chí {code} Mức {level} {letter} phải là đạt/không đạt."}
                    )
                wanted_indicators[pk] = achieved
    wanted_items: dict[int, bool] = {}
    for code, achieved in (level4 or {}).items():
        if str(code) not in items:
            raise ValidationError({"level4": f"Tiêu chí Mức 4 “{code}” không có trong {version}."})
        if not isinstance(achieved, bool):
            raise ValidationError({"level4": f"Kết quả của tiêu chí Mức 4 “{code}” phải là đạt/không đạt."})
        wanted_items[items[str(code)]] = achieved

    changed = _upsert(IndicatorRating, "indicator_id", cycle, wanted_indicators)
    changed += _upsert(Level4Rating, "item_id", cycle, wanted_items)
    audit.record(
        actor=actor,
        event_type=Event.CYCLE_RATINGS_RECORDED,
        obj=cycle,
        unit=cycle.school.unit,
        school=cycle.school,
        data={"indicators": len(wanted_indicators), "level4": len(wanted_items), "changed": changed},
    )
    return cycle


def _upsert(model, key: str, cycle: Cycle, wanted: dict[int, bool]) -> int:
    """Create missing rows and update differing ones (two or three queries); returns how many rows changed."""
    existing = {getattr(r, key): r for r in model.objects.filter(cycle=cycle, **{f"{key}__in": list(wanted)})}
    to_create, to_update = [], []
    for pk, achieved in wanted.items():
        row = existing.get(pk)
        if row is None:
            to_create.append(model(cycle=cycle, achieved=achieved, **{key: pk}))
        elif row.achieved != achieved:
            row.achieved = achieved
            to_update.append(row)
    model.objects.bulk_create(to_create)
    model.objects.bulk_update(to_update, ["achieved"])
    return len(to_create) + len(to_update)


@transaction.atomic
def cycle_set_status(*, actor, cycle: Cycle, status: str) -> Cycle:
    """Set a cycle's status. Minimal for now: any known status; the real transitions come with submission/review."""
    if status not in CycleStatus.values:
        raise ValidationError({"status": f"Trạng thái không hợp lệ: {status}."})
    previous = cycle.status
    if previous == status:
        return cycle
    cycle.status = status
    cycle.save(update_fields=["status"])
    audit.record(
        actor=actor,
        event_type=Event.CYCLE_STATUS_CHANGED,
        obj=cycle,
        unit=cycle.school.unit,
        school=cycle.school,
        data={"from": previous, "to": status},
    )
    return cycle
