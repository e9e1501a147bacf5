"""Writes of self-assessment cycles and their ratings."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.core.schoolyear import normalize_school_year, school_year_start
from kiemdinh.core.text import clean
from kiemdinh.frameworks.models import Criterion, FrameworkVersion, Indicator, Level4Item
from kiemdinh.selfassessment.models import (
    LEVEL4_KEY,
    CriterionForm,
    Cycle,
    CycleStatus,
    CycleTransition,
    FormDraft,
    IndicatorRating,
    Level4Rating,
    ReportText,
    SchoolStatistics,
    indicator_key,
)
from kiemdinh.selfassessment.selectors import report_sections
from kiemdinh.selfassessment.statistics import MAX_VALUE, cycle_definitions
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


# --- Criterion forms -------------------------------------------------------------------------------------------------


class FormConflict(Exception):
    """A save based on an older version: someone else saved the form in between. Carries the current form."""

    def __init__(self, current: CriterionForm):
        super().__init__("form changed since it was opened")
        self.current = current


def _form_lookup(cycle: Cycle, criterion: Criterion | None, level4_item: Level4Item | None) -> dict:
    if (criterion is None) == (level4_item is None):
        raise ValueError("a form is for exactly one criterion or one Mức 4 item")
    subject = criterion or level4_item
    if subject.version_id != cycle.framework_id:
        raise ValidationError("Tiêu chí không thuộc bộ tiêu chuẩn của đợt tự đánh giá này.")
    return {"cycle": cycle, "criterion": criterion} if criterion else {"cycle": cycle, "level4_item": level4_item}


def form_text_keys(cycle: Cycle, criterion: Criterion | None) -> set[str]:
    """The description keys a form may hold: one per indicator of the criterion, or "4" for a Mức 4 item."""
    if criterion is None:
        return {LEVEL4_KEY}
    return {indicator_key(level, letter) for level, letter in criterion.indicators.values_list("level", "letter")}


def _clean_texts(keys: set[str], descriptions: dict, fields: dict) -> tuple[dict, dict]:
    unknown = sorted(set(descriptions) - keys)
    if unknown:
        raise ValidationError(f"Không có chỉ báo “{unknown[0]}” trong tiêu chí này.")
    clean_descriptions = {k: clean(str(v)) for k, v in descriptions.items() if clean(str(v))}
    clean_fields = {f: clean(str(fields.get(f, ""))) for f in CriterionForm.TEXT_FIELDS}
    return clean_descriptions, clean_fields


@transaction.atomic
def criterion_form_save(
    *,
    actor,
    cycle: Cycle,
    criterion: Criterion | None = None,
    level4_item: Level4Item | None = None,
    base_version: int,
    descriptions: dict[str, str],
    strengths: str = "",
    weaknesses: str = "",
    improvement: str = "",
) -> CriterionForm:
    """Save a criterion form's texts. Refused with FormConflict when the form changed since `base_version` was read.

    The version check is a compare-and-swap UPDATE, so two saves based on the same version cannot both succeed on
    any database. The saving user's autosaved draft is removed.
    """
    ensure_editable(cycle)
    lookup = _form_lookup(cycle, criterion, level4_item)
    clean_descriptions, fields = _clean_texts(
        form_text_keys(cycle, criterion),
        descriptions or {},
        {"strengths": strengths, "weaknesses": weaknesses, "improvement": improvement},
    )
    form, _ = CriterionForm.objects.get_or_create(**lookup)
    swapped = CriterionForm.objects.filter(pk=form.pk, version=base_version).update(version=base_version + 1)
    if not swapped:
        form.refresh_from_db()
        raise FormConflict(form)
    # The swap holds the version: every text below is written in full, so the row need not be read again.
    form.version = base_version + 1
    form.descriptions = clean_descriptions
    for name, value in fields.items():
        setattr(form, name, value)
    form.updated_at = timezone.now()
    form.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    form._history_user = form.updated_by
    form.save()
    if form.updated_by:
        FormDraft.objects.filter(form=form, user=form.updated_by).delete()
    audit.record(
        actor=actor,
        event_type=Event.CRITERION_FORM_SAVED,
        obj=form,
        unit=cycle.school.unit,
        school=cycle.school,
        data={"subject": _subject_label(criterion, level4_item), "version": form.version},
    )
    return form


def _subject_label(criterion: Criterion | None, level4_item: Level4Item | None) -> str:
    return f"tiêu chí {criterion.code}" if criterion else f"Mức 4 tiêu chí {level4_item.code}"


@transaction.atomic
def form_draft_save(
    *,
    actor,
    cycle: Cycle,
    criterion: Criterion | None = None,
    level4_item: Level4Item | None = None,
    base_version: int,
    data: dict,
) -> FormDraft:
    """Autosave: keep what the user typed (not yet saved) so nothing is lost if the page closes. No audit event:
    a draft is private to its author and changes nothing others see."""
    ensure_editable(cycle)
    lookup = _form_lookup(cycle, criterion, level4_item)
    clean_descriptions, fields = _clean_texts(form_text_keys(cycle, criterion), data.get("descriptions") or {}, data)
    form, _ = CriterionForm.objects.get_or_create(**lookup)
    draft, _ = FormDraft.objects.update_or_create(
        form=form,
        user=actor,
        defaults={"base_version": base_version, "data": {"descriptions": clean_descriptions, **fields}},
    )
    return draft


@transaction.atomic
def form_draft_discard(*, actor, form: CriterionForm) -> None:
    FormDraft.objects.filter(form=form, user=actor).delete()


@transaction.atomic
def criterion_forms_copy(*, actor, source: Cycle, target: Cycle) -> list[str]:
    """Carry-over: copy the texts of an earlier cycle's forms into a new cycle's empty forms, matched by criterion
    (or Mức 4 item) code. Returns the codes that do not exist in the target framework."""
    ensure_editable(target)
    criteria = {c.code: c for c in Criterion.objects.filter(version=target.framework)}
    items = {i.code: i for i in Level4Item.objects.filter(version=target.framework)}
    skipped, created = [], []
    user, now = actor if getattr(actor, "is_authenticated", False) else None, timezone.now()
    for old in CriterionForm.objects.filter(cycle=source).select_related("criterion", "level4_item"):
        if old.criterion_id:
            subject = criteria.get(old.criterion.code)
            lookup = {"criterion": subject}
            keys = None
        else:
            subject = items.get(old.level4_item.code)
            lookup = {"level4_item": subject}
            keys = {LEVEL4_KEY}
        if subject is None:
            skipped.append(old.subject.code)
            continue
        if keys is None:
            keys = form_text_keys(target, subject)
        created.append(
            CriterionForm(
                cycle=target,
                descriptions={k: v for k, v in old.descriptions.items() if k in keys},
                **{f: getattr(old, f) for f in CriterionForm.TEXT_FIELDS},
                # Version 1 with its history record: the carried texts are the base a first save is compared with,
                # so two people saving different fields of a carried form merge instead of clashing.
                version=1,
                updated_at=now,
                updated_by=user,
                **lookup,
            )
        )
    bulk_create_with_history(
        created,
        CriterionForm,
        default_user=user,
        default_change_reason=f"Kế thừa từ năm học {source.school_year}",
        default_date=now,
    )
    audit.record(
        actor=actor,
        event_type=Event.CRITERION_FORMS_CARRIED_OVER,
        obj=target,
        unit=target.school.unit,
        school=target.school,
        data={"from_cycle": source.pk, "forms": len(created), "skipped": skipped},
    )
    return skipped


def form_texts_merge(base: dict, mine: dict, theirs: dict) -> tuple[dict, set[str]]:
    """Three-way merge of a form's texts after a refused save (pure function).

    Each argument is {"descriptions": {key: text}, "strengths": …, "weaknesses": …, "improvement": …}. A text only one
    side changed since `base` takes that side; a text both changed differently keeps `mine` and is reported as a clash
    (named "mo_ta_<key>" or the field name), for the user to merge by hand.
    """

    def pick(name: str, b: str, m: str, t: str) -> str:
        if m == t or t == b:
            return m
        if m == b:
            return t
        clashes.add(name)
        return m

    clashes: set[str] = set()
    keys = set(base["descriptions"]) | set(mine["descriptions"]) | set(theirs["descriptions"])
    merged = {
        "descriptions": {
            k: pick(
                f"mo_ta_{k}",
                base["descriptions"].get(k, ""),
                mine["descriptions"].get(k, ""),
                theirs["descriptions"].get(k, ""),
            )
            for k in keys
        }
    }
    for f in CriterionForm.TEXT_FIELDS:
        merged[f] = pick(f, base.get(f, ""), mine.get(f, ""), theirs.get(f, ""))
    return merged, clashes


# --- Report texts ----------------------------------------------------------------------------------------------------


@transaction.atomic
def report_texts_save(*, actor, cycle: Cycle, texts: dict[str, str]) -> int:
    """Save narrative parts of the report (only the keys given; empty text clears). Returns how many changed."""
    ensure_editable(cycle)
    allowed = {s.key for s in report_sections(cycle)}
    unknown = sorted(set(texts) - allowed)
    if unknown:
        raise ValidationError(f"Không có phần “{unknown[0]}” trong báo cáo tự đánh giá.")
    existing = {r.key: r for r in ReportText.objects.filter(cycle=cycle, key__in=list(texts))}
    user = actor if getattr(actor, "is_authenticated", False) else None
    changed = []
    for key, value in texts.items():
        value = clean(value or "")
        row = existing.get(key)
        if row is None and not value:
            continue
        if row is not None and row.text == value:
            continue
        row = row or ReportText(cycle=cycle, key=key)
        row.text, row.updated_by = value, user
        row._history_user = user
        row.save()
        changed.append(key)
    if changed:
        audit.record(
            actor=actor,
            event_type=Event.REPORT_TEXTS_SAVED,
            obj=cycle,
            unit=cycle.school.unit,
            school=cycle.school,
            data={"keys": changed},
        )
    return len(changed)


# --- Phần I statistics -----------------------------------------------------------------------------------------------


def _statistic_value(value, where: str) -> int | None:
    """A typed cell: blank is None; otherwise a whole number 0..MAX_VALUE (digits only, so "1.5" or "-2" fail)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValidationError(f"{where}: phải là số nguyên không âm.")
    if isinstance(value, int):
        number = value
    else:
        text = clean(str(value))
        if not text:
            return None
        if not (text.isascii() and text.isdigit()):
            raise ValidationError(f"{where}: phải là số nguyên không âm.")
        number = int(text)
    if number < 0:
        raise ValidationError(f"{where}: phải là số nguyên không âm.")
    if number > MAX_VALUE:
        raise ValidationError(f"{where}: không được lớn hơn {MAX_VALUE:,}.".replace(",", "."))
    return number


@transaction.atomic
def school_statistics_save(*, actor, cycle: Cycle, table: str, values: dict[str, dict[str, str]]) -> bool:
    """Save cells of one Phần I table: {row_key: {school_year: "12" or ""}}; a blank clears the cell, cells not given
    stay. Everything is checked before anything is written. Returns whether the table changed."""
    ensure_editable(cycle)
    tables, years = cycle_definitions(cycle)
    definition = next((t for t in tables if t.key == table), None)
    if definition is None:
        raise ValidationError(f"Không có bảng số liệu “{table}” trong Phần I.")
    title = definition.title.split(". ", 1)[-1]
    cleaned: dict[tuple[str, str], int | None] = {}
    for row_key, cells in values.items():
        row = definition.row(row_key)
        if row is None:
            raise ValidationError(f"{title}: không có dòng “{row_key}”.")
        if row.computed:
            raise ValidationError(f"{title}, {row.label}: dòng này được tính tự động, không nhập.")
        for year, value in (cells or {}).items():
            if year not in years:
                raise ValidationError(f"{title}, {row.label}: năm học “{year}” không thuộc bảng số liệu.")
            cleaned[(row_key, year)] = _statistic_value(value, f"{title}, {row.label}, năm học {year}")

    existing = SchoolStatistics.objects.select_for_update().filter(cycle=cycle, table=table).first()
    data = {r: dict(c) for r, c in ((existing.data if existing else {}) or {}).items()}
    for (row_key, year), number in cleaned.items():
        if number is None:
            data.get(row_key, {}).pop(year, None)
        else:
            data.setdefault(row_key, {})[year] = number
    data = {r: c for r, c in data.items() if c}
    if data == ((existing.data if existing else {}) or {}):
        return False
    user = actor if getattr(actor, "is_authenticated", False) else None
    record = existing or SchoolStatistics(cycle=cycle, table=table)
    record.data, record.updated_by = data, user
    record._history_user = user
    record.save()
    audit.record(
        actor=actor,
        event_type=Event.SCHOOL_STATISTICS_SAVED,
        obj=cycle,
        unit=cycle.school.unit,
        school=cycle.school,
        data={"table": table},
    )
    return True
