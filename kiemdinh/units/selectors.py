"""Reads of units and schools used by commands and pages."""

import re
from datetime import date

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q

from kiemdinh.core.text import fold, nfc
from kiemdinh.units.models import AdministrativeUnit, ChangeKind, School, UnitChange, UnitKind


class SchoolLookupError(ObjectDoesNotExist):
    pass


def school_by_code_or_name(text: str) -> School:
    """The one school whose code is `text`, else whose name is `text` (case and diacritics aside), else whose name
    contains it. Raises SchoolLookupError (with a Vietnamese message) when none or several match."""
    text = nfc(text).strip()
    if not text:
        raise SchoolLookupError("Hãy ghi mã hoặc tên trường.")
    by_code = School.objects.filter(code=text).first()
    if by_code is not None:
        return by_code
    folded = fold(text)
    exact = [s for s in School.objects.filter(search_text__contains=folded) if fold(s.name) == folded]
    if len(exact) == 1:
        return exact[0]
    candidates = exact or list(School.objects.filter(search_text__contains=folded).order_by("name")[:6])
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise SchoolLookupError(f"Không tìm thấy trường có mã hoặc tên “{text}”.")
    names = "; ".join(f"{s.code} {s.name}" for s in candidates[:5])
    raise SchoolLookupError(f"Có nhiều trường khớp với “{text}”: {names}. Hãy ghi mã trường.")


UNIT_PREFIX = re.compile(r"^(xã|phường|thị trấn|thị xã|thành phố|huyện|quận|tỉnh|đặc khu)\s+", re.IGNORECASE)


class UnitLookupError(ObjectDoesNotExist):
    pass


def unit_by_code_or_name(text: str) -> AdministrativeUnit:
    """The one administrative unit whose code is `text`, else whose name is `text` (case and diacritics aside; with or
    without "huyện", "thị xã"…), else whose name contains it. Raises UnitLookupError (with a Vietnamese message) when
    none or several match."""
    text = nfc(text).strip()
    if not text:
        raise UnitLookupError("Hãy ghi mã hoặc tên đơn vị.")
    by_code = AdministrativeUnit.objects.filter(code=text).first()
    if by_code is not None:
        return by_code
    folded = fold(text)
    found = list(AdministrativeUnit.objects.filter(search_text__contains=folded).order_by("path"))
    for same in (lambda u: fold(u.name) == folded, lambda u: fold(UNIT_PREFIX.sub("", u.name)) == folded):
        exact = [u for u in found if same(u)]
        if len(exact) == 1:
            return exact[0]
        if exact:
            found = exact
            break
    if len(found) == 1:
        return found[0]
    if not found:
        raise UnitLookupError(f"Không tìm thấy đơn vị có mã hoặc tên “{text}”.")
    names = "; ".join(f"{u.code} {u.name}" for u in found[:5])
    raise UnitLookupError(f"Có nhiều đơn vị khớp với “{text}”: {names}. Hãy ghi mã đơn vị.")


# --- The tree as it was on a date ---------------------------------------------------------------------------------------


def tree_on(on: date) -> list[dict]:
    """The units in force on `on` (established by then, not yet dissolved), each with its name, level and parent as
    they were, and the schools it managed then: today's tree with every later change undone. Units in tree order
    (a parent before its children, by code); a fixed number of queries."""
    units = {
        u.pk: {"code": u.code, "kind": u.kind, "name": u.name, "parent": u.parent_id, "dissolved_on": u.dissolved_on,
               "established_on": u.established_on}
        for u in AdministrativeUnit.objects.all()
    }  # fmt: skip
    schools = {s.pk: {"code": s.code, "name": s.name, "unit": s.unit_id} for s in School.objects.all()}
    for change in UnitChange.objects.filter(effective_on__gt=on).order_by("-effective_on", "-id"):
        if change.kind == ChangeKind.RENAME:
            units[change.unit_id]["name"] = change.old_name
        elif change.kind == ChangeKind.MOVE:
            units[change.unit_id]["parent"] = change.old_parent_id
        elif change.kind == ChangeKind.SCHOOL_MOVE:
            schools[change.school_id]["unit"] = change.old_parent_id
    in_force = {
        pk: u
        for pk, u in units.items()
        if (u["dissolved_on"] is None or u["dissolved_on"] > on) and (u["established_on"] is None or u["established_on"] <= on)
    }  # fmt: skip

    def trail(pk) -> tuple:
        chain = []
        while pk is not None and pk in units:
            chain.append(units[pk]["code"])
            pk = units[pk]["parent"]
        return tuple(reversed(chain))

    by_unit: dict[int, list[dict]] = {}
    for school in sorted(schools.values(), key=lambda s: s["code"]):
        by_unit.setdefault(school["unit"], []).append({"code": school["code"], "name": school["name"]})
    return [
        {
            "code": u["code"],
            "kind": u["kind"],
            "kind_label": UnitKind(u["kind"]).label,
            "name": u["name"],
            "parent": units[u["parent"]]["code"] if u["parent"] in units else None,
            "schools": by_unit.get(pk, []),
        }
        for pk, u in sorted(in_force.items(), key=lambda item: trail(item[0]))
    ]


def name_on(unit: AdministrativeUnit, on: date) -> str:
    """The unit's name on a date (its renames after that date undone): what a document of that date prints."""
    later = UnitChange.objects.filter(unit=unit, kind=ChangeKind.RENAME, effective_on__gt=on).order_by("effective_on")
    first = later.values_list("old_name", flat=True).first()
    return first or unit.name


def unit_changes(unit: AdministrativeUnit):
    """The dated changes a unit's page lists: its own (renamed, moved, dissolved), and what moved to or from it (units
    and schools, including those it received as a successor), latest first."""
    return (
        UnitChange.objects.filter(Q(unit=unit) | Q(successor=unit) | Q(new_parent=unit) | Q(old_parent=unit))
        .select_related("unit", "school", "old_parent", "new_parent", "successor")
        .order_by("-effective_on", "-id")
    )


def school_units_on(schools, on: date) -> dict[int, str]:
    """For each school (its unit loaded), the name of the unit that managed it on a date, the moves and renames after
    it undone: what a document of that date prints beside the school. One query, a second when a school has moved
    since."""
    schools = list(schools)
    unit_of = {s.pk: s.unit_id for s in schools}
    names = {s.unit_id: s.unit.name for s in schools}
    later = UnitChange.objects.filter(effective_on__gt=on).filter(
        Q(kind=ChangeKind.SCHOOL_MOVE, school_id__in=list(unit_of)) | Q(kind=ChangeKind.RENAME)
    )
    renames = []
    for change in later.order_by("-effective_on", "-id"):  # latest first: the earliest later change wins
        if change.kind == ChangeKind.SCHOOL_MOVE:
            unit_of[change.school_id] = change.old_parent_id
        else:
            renames.append(change)
    missing = set(unit_of.values()) - set(names)
    if missing:
        names.update(AdministrativeUnit.objects.filter(pk__in=missing).values_list("pk", "name"))
    for rename in renames:
        if rename.unit_id in names:
            names[rename.unit_id] = rename.old_name
    return {school_id: names.get(unit_id, "") for school_id, unit_id in unit_of.items()}
