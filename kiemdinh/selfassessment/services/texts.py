"""The report's narrative parts and the Phần I statistics tables."""

from django.core.exceptions import ValidationError
from django.db import transaction

from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.core.text import clean
from kiemdinh.selfassessment.models import (
    Cycle,
    ReportText,
    SchoolStatistics,
)
from kiemdinh.selfassessment.selectors import report_sections
from kiemdinh.selfassessment.services.cycles import ensure_editable
from kiemdinh.selfassessment.statistics import MAX_VALUE, cycle_definitions

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
