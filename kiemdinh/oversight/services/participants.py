"""A training's participants: a pasted list ("Họ tên – chức vụ – trường", one a line) read under the tabular caps and
its schools looked up outside the transaction, then written all or nothing; attendance and removal."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.core.tabular import number, shown
from kiemdinh.core.text import fold, nfc
from kiemdinh.oversight.models import Training, TrainingParticipant
from kiemdinh.oversight.services.common import MAX_LENGTHS
from kiemdinh.units.models import AdministrativeUnit, School
from kiemdinh.units.selectors import SchoolLookupError, school_by_code_or_name

# "Họ tên – chức vụ – trường": parts split at an en or em dash, a hyphen between spaces, a tab (pasted from a
# spreadsheet) or a vertical bar. A hyphen inside a word ("Nguyễn Thị Thu-Hà") stays part of it.
_PART_SEPARATOR = re.compile(r"\s*[–—\t|]\s*|\s+-\s+")


def _school_in_unit(unit: AdministrativeUnit, text: str) -> School:
    """The school named `text` (code or name) among the unit's schools; SchoolLookupError with a Vietnamese message."""
    try:
        school = school_by_code_or_name(text)
    except SchoolLookupError as e:
        school, error = None, e
    else:
        if school.unit.path.startswith(unit.path):
            return school
        error = SchoolLookupError(f"{school.name} không thuộc {unit.name}.")
    # A name may be ambiguous (or match elsewhere) across the country yet name exactly one school of the unit.
    folded = fold(text)
    within = list(School.objects.within(unit).filter(search_text__contains=folded))
    exact = [s for s in within if fold(s.name) == folded]
    if len(exact) == 1 or len(within) == 1:
        return (exact or within)[0]
    raise error


def parse_participants(unit: AdministrativeUnit, text: str) -> tuple[list[dict], list[str]]:
    """Rows {full_name, job_title, school} from one "Họ tên – chức vụ – trường" a line, and the Vietnamese errors,
    each naming its line (number and text, quoted short).

    A pasted list is a tabular import: at most KIEMDINH_IMPORT_MAX_ROWS lines (refused whole, before any line is
    looked at) of at most KIEMDINH_IMPORT_MAX_CELL_CHARS characters each."""
    lines = nfc(str(text or "")).splitlines()
    max_rows, max_chars = settings.KIEMDINH_IMPORT_MAX_ROWS, settings.KIEMDINH_IMPORT_MAX_CELL_CHARS
    if sum(1 for line in lines if line.strip()) > max_rows:
        raise ValidationError(
            {
                "text": f"Danh sách có hơn {number(max_rows)} dòng. Mỗi lần chỉ thêm được tối đa {number(max_rows)} "
                "người; hãy chia thành nhiều lần."
            }
        )
    rows, errors = [], []
    schools: dict[str, School] = {}
    for line_number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        where = f"Dòng {line_number} (“{shown(line)}”)"
        if len(line) > max_chars:
            errors.append(
                f"{where}: dài {number(len(line))} ký tự, vượt quá giới hạn {number(max_chars)} ký tự mỗi dòng."
            )
            continue
        parts = [p.strip() for p in _PART_SEPARATOR.split(line)]
        if len(parts) > 3:
            errors.append(f"{where}: có hơn ba phần; hãy ghi theo dạng “Họ tên – chức vụ – trường”.")
            continue
        full_name, job_title, school_text = [*parts, "", ""][:3]
        if not full_name:
            errors.append(f"{where}: thiếu họ tên.")
            continue
        if len(full_name) > MAX_LENGTHS["full_name"] or len(job_title) > MAX_LENGTHS["job_title"]:
            errors.append(f"{where}: họ tên hoặc chức vụ dài quá 200 ký tự.")
            continue
        school = None
        if school_text:
            key = fold(school_text)
            if key not in schools:
                try:
                    schools[key] = _school_in_unit(unit, school_text)
                except SchoolLookupError as e:
                    errors.append(f"{where}: {e}")
                    continue
            school = schools[key]
        rows.append({"full_name": full_name, "job_title": job_title, "school": school, "line": line_number})
    return rows, errors


def participants_add(*, actor, training: Training, text: str, attended: bool = True) -> list[TrainingParticipant]:
    """Add the participants listed in `text` (one "Họ tên – chức vụ – trường" a line). One bad line refuses all.

    The list is read and its schools looked up before the transaction (a long list takes a while; nobody's write
    should wait for it); the transaction only checks duplicates against the locked training and writes."""
    unit = AdministrativeUnit.objects.get(pk=training.unit_id)
    rows, errors = parse_participants(unit, text)
    with transaction.atomic():
        return _participants_write(actor=actor, training=training, rows=rows, errors=errors, attended=attended)


def _participants_write(*, actor, training: Training, rows: list[dict], errors: list[str], attended: bool):
    training = Training.objects.select_for_update().select_related("unit").get(pk=training.pk)
    seen = {(fold(name), school_id) for name, school_id in training.participants.values_list("full_name", "school_id")}
    for row in rows:
        key = (fold(row["full_name"]), row["school"].pk if row["school"] else None)
        if key in seen:
            where = f"{row['full_name']}" + (f" ({row['school'].name})" if row["school"] else "")
            errors.append(f"Dòng {row['line']}: {where} đã có trong danh sách.")
        seen.add(key)
    if errors:
        raise ValidationError({"text": errors})
    if not rows:
        raise ValidationError({"text": "Hãy ghi ít nhất một người, mỗi dòng “Họ tên – chức vụ – trường”."})
    start = training.participants.aggregate(m=Max("position"))["m"] or 0
    created = TrainingParticipant.objects.bulk_create(
        [
            TrainingParticipant(
                training=training,
                position=start + i,
                full_name=row["full_name"],
                job_title=row["job_title"],
                school=row["school"],
                attended=attended,
            )
            for i, row in enumerate(rows, start=1)
        ]
    )
    audit.record(
        actor=actor,
        event_type=Event.OVERSIGHT_PARTICIPANTS_ADDED,
        obj=training,
        unit=training.unit,
        data={"count": len(created), "names": [row["full_name"] for row in rows][:50]},
    )
    return created


@transaction.atomic
def participant_set_attended(*, actor, participant: TrainingParticipant, attended: bool) -> TrainingParticipant:
    participant.attended = bool(attended)
    participant.save(update_fields=["attended"])
    audit.record(
        actor=actor,
        event_type=Event.OVERSIGHT_PARTICIPANT_ATTENDANCE,
        obj=participant,
        unit=participant.training.unit,
        school=participant.school,
        data={"training": participant.training_id, "attended": participant.attended},
    )
    return participant


@transaction.atomic
def participant_delete(*, actor, participant: TrainingParticipant) -> None:
    audit.record(
        actor=actor,
        event_type=Event.OVERSIGHT_PARTICIPANT_DELETED,
        obj=participant,
        unit=participant.training.unit,
        school=participant.school,
        data={"training": participant.training_id, "name": participant.full_name},
    )
    participant.delete()
