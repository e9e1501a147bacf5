"""From a read table to row dicts: the header matched to the columns, and the words users type for a unit's level,
a school's type and its ownership turned into codes.
"""

from django.core.exceptions import ValidationError

from kiemdinh.accounts.models import Role
from kiemdinh.core.tabular import header_key
from kiemdinh.core.tabular.columns import Column
from kiemdinh.core.text import fold
from kiemdinh.units.imports.columns import columns_for
from kiemdinh.units.models import SHORT_TYPE_LABELS, Ownership, SchoolType, UnitKind


def _key(text: str) -> str:
    """Lookup key for a user-typed value: folded, "&"/"_"/"-"/"và" treated alike, spaces dropped."""
    folded = fold(text).replace(" va ", "&").replace("_", "&").replace("-", "&").replace("/", "&")
    return "".join(folded.split())


# Unit kinds by what Vietnamese lists write in a "Cấp" column. "Thành phố" depends on the parent (see unit_kind_of).
_UNIT_KIND_WORDS = {
    UnitKind.PROVINCE: ["Tỉnh", "Cấp tỉnh", "Thành phố trực thuộc trung ương", "TP trực thuộc trung ương"],
    UnitKind.DISTRICT: ["Huyện", "Quận", "Thị xã", "Cấp huyện", "Thành phố thuộc tỉnh", "TP thuộc tỉnh"],
    UnitKind.COMMUNE: ["Xã", "Phường", "Thị trấn", "Đặc khu", "Cấp xã"],
}
_UNIT_KINDS: dict[str, str] = {}
for _kind, _words in _UNIT_KIND_WORDS.items():
    for _word in [*_words, _kind.value, _kind.label]:
        _UNIT_KINDS[_key(_word)] = _kind.value
_CITY_KEYS = {_key("Thành phố"), _key("TP")}


def unit_kind_of(text: str, *, has_parent: bool) -> str | None:
    """The UnitKind code for a "Cấp" value, or None. A "Thành phố" without a parent is a centrally-run city
    (province level); with one, a city of a province (district level)."""
    key = _key(text)
    if key in _CITY_KEYS:
        return UnitKind.DISTRICT.value if has_parent else UnitKind.PROVINCE.value
    return _UNIT_KINDS.get(key)


_SCHOOL_TYPES: dict[str, str] = {}
for _type in SchoolType:
    for _word in (_type.value, _type.label, _type.label.removeprefix("Trường "), SHORT_TYPE_LABELS[_type]):
        _SCHOOL_TYPES[_key(_word)] = _type.value
_SCHOOL_TYPES[_key("Phổ thông nhiều cấp học")] = SchoolType.PTNCH.value


def school_type_of(text: str) -> str | None:
    return _SCHOOL_TYPES.get(_key(text))


_OWNERSHIPS = {_key(o.value): o.value for o in Ownership} | {_key(o.label): o.value for o in Ownership}


def ownership_of(text: str) -> str | None:
    if not text.strip():
        return Ownership.CONG_LAP.value
    return _OWNERSHIPS.get(_key(text))


# The roles an import gives, by the words lists use (an officer of a unit, or a school's principal).
_ROLE_WORDS = {
    Role.OFFICER: ["Cán bộ quản lý", "Cán bộ", "Chuyên viên", "Lãnh đạo", Role.OFFICER.value],
    Role.PRINCIPAL: ["Hiệu trưởng", "HT", Role.PRINCIPAL.value],
}
_ROLES = {_key(word): role.value for role, words in _ROLE_WORDS.items() for word in words}


def role_of(text: str) -> str | None:
    return _ROLES.get(_key(text))


def _match_header(kind: str, header: list[str]) -> dict[str, int]:
    """Column key → cell index, or a ValidationError naming the missing or repeated columns."""
    by_key: dict[str, Column] = {}
    for column in columns_for(kind):
        for text in (column.label, *column.aliases):
            by_key[header_key(text)] = column
    positions: dict[str, int] = {}
    repeated = []
    for index, cell in enumerate(header):
        column = by_key.get(header_key(cell))
        if column is None:
            continue
        if column.key in positions:
            repeated.append(column.label)
        else:
            positions[column.key] = index
    missing = [c.label for c in columns_for(kind) if c.required and c.key not in positions]
    problems = []
    if missing:
        problems.append("Tệp thiếu cột bắt buộc: " + ", ".join(f"“{m}”" for m in missing) + ".")
    if repeated:
        problems.append("Cột bị lặp lại: " + ", ".join(f"“{r}”" for r in repeated) + ".")
    if problems:
        problems.append("Dòng đầu tiên của tệp phải là dòng tiêu đề như trong tệp mẫu.")
        raise ValidationError(" ".join(problems))
    return positions


def parse_rows(kind: str, table: list[tuple[int, list[str]]]) -> list[dict]:
    """Table → normalised row dicts {"row": n, <column key>: text}; the first non-empty row is the header."""
    if not table:
        raise ValidationError("Tệp không có dữ liệu.")
    (_, header), *data = table
    positions = _match_header(kind, header)
    if not data:
        raise ValidationError("Tệp chỉ có dòng tiêu đề, không có dòng dữ liệu nào.")
    rows = []
    for number, cells in data:
        row = {"row": number}
        for column in columns_for(kind):
            index = positions.get(column.key)
            row[column.key] = cells[index] if index is not None and index < len(cells) else ""
        rows.append(row)
    return rows
