"""Reads of units and schools used by commands and pages."""

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q

from kiemdinh.core.text import fold, nfc
from kiemdinh.units.models import AdministrativeUnit, ChangeKind, School, SchoolMerger, UnitChange, UnitKind


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
    they were, and the schools it managed then: today's tree with every later change undone (TreeOn). Units in tree
    order (a parent before its children, by code); three queries."""
    tree = TreeOn(on)
    units = tree.all_units()
    by_unit: dict[int, list[dict]] = {}
    for school in School.objects.order_by("code").values("pk", "code", "name", "unit_id"):
        unit_id = tree.unit_id_of_school(school["pk"], school["unit_id"])
        by_unit.setdefault(unit_id, []).append({"code": school["code"], "name": school["name"]})

    def trail(pk) -> tuple:
        chain = []
        while pk is not None and pk in units:
            chain.append(units[pk].code)
            pk = units[pk].parent_id
        return tuple(reversed(chain))

    return [
        {
            "code": u.code,
            "kind": u.kind,
            "kind_label": UnitKind(u.kind).label,
            "name": u.name,
            "parent": units[u.parent_id].code if u.parent_id in units else None,
            "schools": by_unit.get(pk, []),
        }
        for pk, u in sorted(((pk, u) for pk, u in units.items() if u.in_force(on)), key=lambda item: trail(item[0]))
    ]


@dataclass(frozen=True)
class UnitAt:
    """A unit as it was on a date: its name, education office and parent then."""

    pk: int
    code: str
    kind: str
    name: str
    office: str
    parent_id: int | None
    established_on: date | None = None
    dissolved_on: date | None = None

    def in_force(self, on: date) -> bool:
        return (self.dissolved_on is None or self.dissolved_on > on) and (
            self.established_on is None or self.established_on <= on
        )


UNIT_FIELDS = ("pk", "code", "kind", "name", "education_office", "parent_id", "established_on", "dissolved_on")


class TreeOn:
    """The tree as it was on a date, read lazily: units are loaded when asked for (a query per level of the tree) and
    every rename, move and school move that took effect after the date is undone (one query for those). What a
    document of that date prints: the managing unit of a school then, its province's name then, the office's name."""

    def __init__(self, on: date):
        self.on = on
        self._units: dict[int, UnitAt] = {}
        later = UnitChange.objects.filter(
            effective_on__gt=on, kind__in=[ChangeKind.RENAME, ChangeKind.MOVE, ChangeKind.SCHOOL_MOVE]
        ).order_by("-effective_on", "-id")  # latest first: the earliest later change is applied last and wins
        self._names, self._parents, self._school_units = {}, {}, {}
        for change in later.values("kind", "unit_id", "school_id", "old_name", "old_office", "old_parent_id"):
            if change["kind"] == ChangeKind.RENAME:
                self._names[change["unit_id"]] = (change["old_name"], change["old_office"])
            elif change["kind"] == ChangeKind.MOVE:
                self._parents[change["unit_id"]] = change["old_parent_id"]
            else:
                self._school_units[change["school_id"]] = change["old_parent_id"]

    def preload(self, paths) -> None:
        """Load at once the units of today's paths ("/46/46-HT/"): the units a chain usually needs (one query)."""
        codes = {code for path in paths for code in path.split("/") if code}
        self._store(AdministrativeUnit.objects.filter(code__in=codes))

    def _load(self, pks) -> None:
        wanted = {pk for pk in pks if pk is not None and pk not in self._units}
        if wanted:
            self._store(AdministrativeUnit.objects.filter(pk__in=wanted))

    def _store(self, units) -> None:
        self._store_rows(units.values(*UNIT_FIELDS))

    def seed(self, units) -> None:
        """Units already loaded (a school's unit): known without a query."""
        self._store_rows({field: getattr(u, field) for field in UNIT_FIELDS} for u in units if u.pk not in self._units)

    def _store_rows(self, rows) -> None:
        for row in rows:
            name, office = self._names.get(row["pk"], (row["name"], None))
            self._units[row["pk"]] = UnitAt(
                pk=row["pk"],
                code=row["code"],
                kind=row["kind"],
                name=name,
                office=row["education_office"] if office is None else office,
                parent_id=self._parents.get(row["pk"], row["parent_id"]),
                established_on=row["established_on"],
                dissolved_on=row["dissolved_on"],
            )

    def all_units(self) -> dict[int, UnitAt]:
        """Every unit as it was (one query)."""
        self._store(AdministrativeUnit.objects.all())
        return self._units

    def unit(self, pk: int) -> UnitAt:
        self._load([pk])
        return self._units[pk]

    def chains(self, unit_pks) -> dict[int, tuple[UnitAt, ...]]:
        """For each unit, the units from its province down to it, as they were (a query per level of units not
        loaded yet)."""
        missing, tried = set(unit_pks), set()
        while missing:
            self._load(missing)
            tried |= missing
            missing = set()
            for pk in unit_pks:
                current = pk
                while current in self._units:
                    current = self._units[current].parent_id
                if current is not None and current not in tried:
                    missing.add(current)
        chains = {}
        for pk in unit_pks:
            chain, current = [], pk
            while current is not None and current in self._units:
                chain.append(self._units[current])
                current = self._units[current].parent_id
            chains[pk] = tuple(reversed(chain))
        return chains

    def school_unit_id(self, school) -> int:
        return self.unit_id_of_school(school.pk, school.unit_id)

    def unit_id_of_school(self, school_pk: int, unit_id: int) -> int:
        """The unit that managed the school then, from its unit today."""
        return self._school_units.get(school_pk, unit_id)

    def school_units(self, schools) -> dict[int, UnitAt]:
        """For each school (its unit loaded), the unit that managed it then, without the units above it (no query
        beyond the changes', one more when a school has moved since)."""
        schools = list(schools)
        self.seed(s.unit for s in schools)
        unit_of = {s.pk: self.school_unit_id(s) for s in schools}
        self._load(unit_of.values())
        return {school_pk: self._units[unit_pk] for school_pk, unit_pk in unit_of.items() if unit_pk in self._units}

    def school_chains(self, schools) -> dict[int, tuple[UnitAt, ...]]:
        """For each school, its managing unit then and the units above it, the province first."""
        unit_of = {s.pk: self.school_unit_id(s) for s in schools}
        chains = self.chains(set(unit_of.values()))
        return {school_pk: chains[unit_pk] for school_pk, unit_pk in unit_of.items()}


def school_under(school: School, unit: AdministrativeUnit, on: date | None = None) -> bool:
    """Whether the school is under `unit` today or, given a date, was on that date (a 2024 plan of a district dissolved
    since still lists the district's schools of 2024). No query today; two or three for the date."""
    if school.unit.path.startswith(unit.path):
        return True
    if on is None:
        return False
    tree = TreeOn(on)
    return any(u.pk == unit.pk for u in tree.school_chains([school])[school.pk])


def schools_under_on(unit: AdministrativeUnit, on: date | None):
    """The schools under `unit` today, and those that were under it on `on` and have moved since (a dissolved
    district's plan of 2024 still concerns the district's schools of 2024), as a queryset. One query when the tree has
    not changed since `on`, three or four when it has."""
    now = School.objects.within(unit)
    if on is None:
        return now
    later = UnitChange.objects.filter(effective_on__gt=on, kind__in=[ChangeKind.MOVE, ChangeKind.SCHOOL_MOVE])
    rows = list(later.values_list("school_id", "unit__path"))
    if not rows:
        return now
    moved = Q(pk__in=[school for school, _ in rows if school])
    for path in {path for _, path in rows if path}:
        moved |= Q(unit__path__startswith=path)
    candidates = list(School.objects.filter(moved).exclude(unit__path__startswith=unit.path).select_related("unit"))
    chains = TreeOn(on).school_chains(candidates)
    then = [pk for pk, chain in chains.items() if any(u.pk == unit.pk for u in chain)]
    return School.objects.filter(Q(unit__path__startswith=unit.path) | Q(pk__in=then)) if then else now


def name_on(unit: AdministrativeUnit, on: date) -> str:
    """The unit's name on a date (its renames after that date undone): what a document of that date prints."""
    return unit_on(unit, on).name


def unit_on(unit: AdministrativeUnit, on: date) -> UnitAt:
    """The unit (its name and education office) as it was on a date: one query, none when it was not renamed since."""
    later = (
        UnitChange.objects.filter(unit=unit, kind=ChangeKind.RENAME, effective_on__gt=on)
        .order_by("effective_on", "id")
        .values("old_name", "old_office")
        .first()
    )
    name, office = (later["old_name"], later["old_office"]) if later else (unit.name, None)
    return UnitAt(unit.pk, unit.code, unit.kind, name, unit.education_office if office is None else office,
                  unit.parent_id, unit.established_on, unit.dissolved_on)  # fmt: skip


def unit_changes(unit: AdministrativeUnit):
    """The dated changes a unit's page lists: its own (renamed, moved, dissolved), and what moved to or from it (units
    and schools, including those it received as a successor), latest first."""
    return (
        UnitChange.objects.filter(Q(unit=unit) | Q(successor=unit) | Q(new_parent=unit) | Q(old_parent=unit))
        .select_related("unit", "school", "old_parent", "new_parent", "successor")
        .order_by("-effective_on", "-id")
    )


def successors_of(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    """For a dissolved unit, the units that took what it had: where its schools and units moved when it was
    dissolved, else its named successor (two queries; none for a unit in force)."""
    if unit.dissolved_on is None:
        return []
    changes = UnitChange.objects.filter(effective_on=unit.dissolved_on)
    moved = changes.filter(old_parent=unit, kind__in=[ChangeKind.MOVE, ChangeKind.SCHOOL_MOVE])
    pks = set(moved.values_list("new_parent_id", flat=True))
    if not pks:
        pks = set(changes.filter(unit=unit, kind=ChangeKind.DISSOLVE).values_list("successor_id", flat=True))
    return list(AdministrativeUnit.objects.filter(pk__in=pks - {None}).order_by("path"))


def school_units_on(schools, on: date) -> dict[int, str]:
    """For each school (its unit loaded), the name of the unit that managed it on a date, the moves and renames after
    it undone (TreeOn): what a document of that date prints beside the school. One query, a second when a school has
    moved since."""
    schools = list(schools)
    found = TreeOn(on).school_units(schools)
    return {s.pk: found[s.pk].name if s.pk in found else "" for s in schools}


# --- Merged schools -----------------------------------------------------------------------------------------------------

# What the reference says about a predecessor's recognition after a merger: nothing (../shared/reference: the circulars
# TT17, TT18, TT19/2018 and TT57/2026 as digested there have no provision on merged schools). So it is not decided here.
MERGED_RECOGNITION_NOTE = (
    "Quyết định công nhận của trường trước sáp nhập có còn áp dụng cho trường sau sáp nhập hay không: cần cơ quan có "
    "thẩm quyền xác định (các Thông tư 17, 18, 19/2018/TT-BGDĐT và Thông tư 57/2026 không quy định trường hợp sáp "
    "nhập trường)."
)


@dataclass(frozen=True)
class MergerView:
    merged_into: SchoolMerger | None  # this school merged into another
    predecessors: list  # SchoolMerger rows: the schools merged into this one, oldest first


def merger_view(school: School) -> MergerView:
    """The school's place in mergers (one query)."""
    rows = list(
        SchoolMerger.objects.filter(Q(predecessor=school) | Q(successor=school))
        .select_related("successor", "predecessor")
        .order_by("effective_on", "id")
    )
    merged_into = next((m for m in rows if m.predecessor_id == school.pk), None)
    return MergerView(merged_into, [m for m in rows if m.successor_id == school.pk])
