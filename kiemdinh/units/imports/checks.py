"""Every row of a list checked against the file itself (repeated codes, parents further down) and the database as it
is now (codes taken, units outside the person's scope or dissolved). Reads only; run at prepare and again at commit.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils import timezone

from kiemdinh.accounts.access import Scope, may_grant
from kiemdinh.accounts.models import USERNAME_PATTERN, Role, User
from kiemdinh.core.tabular import shown
from kiemdinh.units import services
from kiemdinh.units.imports.columns import column_label, columns_for
from kiemdinh.units.imports.parsing import ownership_of, role_of, school_type_of, unit_kind_of
from kiemdinh.units.models import AdministrativeUnit, ImportKind, School

_LOOKUP_CHUNK = 500  # keeps "code IN (…)" below every database's parameter limit


class _Errors:
    def __init__(self, kind: str):
        self.kind = kind
        self.items: list[dict] = []

    def add(self, row: int, key: str, message: str) -> None:
        # A message may quote the cell (a code, a kind): stored as shown, whatever the cell held.
        self.items.append({"row": row, "column": column_label(self.kind, key), "message": shown(message, 400)})


def error_message(error: ValidationError) -> str:
    return " ".join(error.messages)


def _by_code(model, codes: set[str]) -> dict[str, object]:
    found = {}
    codes = sorted(codes)
    for start in range(0, len(codes), _LOOKUP_CHUNK):
        for obj in model.objects.filter(code__in=codes[start : start + _LOOKUP_CHUNK]):
            found[obj.code] = obj
    return found


def _existing_codes(model, codes: set[str]) -> set[str]:
    existing = set()
    codes = sorted(codes)
    for start in range(0, len(codes), _LOOKUP_CHUNK):
        existing.update(
            model.objects.filter(code__in=codes[start : start + _LOOKUP_CHUNK]).values_list("code", flat=True)
        )
    return existing


def _check_common(errors: _Errors, row: dict, code_label: str, seen: dict[str, int], existing: set[str]) -> bool:
    """Code, name and lengths, shared by both kinds. True when the code itself is usable."""
    number = row["row"]
    code_ok = False
    try:
        services.validate_code(row["code"], code_label)
    except ValidationError as e:
        errors.add(number, "code", error_message(e))
    else:
        code_ok = True
        if row["code"] in seen:
            errors.add(
                number, "code", f"{code_label.capitalize()} “{row['code']}” bị trùng với dòng {seen[row['code']]}."
            )
        elif row["code"] in existing:
            errors.add(number, "code", f"{code_label.capitalize()} “{row['code']}” đã có trong hệ thống.")
    if not row["name"]:
        errors.add(number, "name", f"Thiếu {column_label(errors.kind, 'name').lower()}.")
    for column in columns_for(errors.kind):
        value = row.get(column.key, "")
        if column.max_length and column.key != "code" and len(value) > column.max_length:
            errors.add(number, column.key, f"Dài quá {column.max_length} ký tự (hiện có {len(value)}).")
    return code_ok


def _unit_problem(unit: AdministrativeUnit, scope: Scope, what: str) -> str | None:
    if not scope.covers_path(unit.path):
        return f"{what} “{unit.code}” ({unit.name}) nằm ngoài phạm vi quản lý của bạn."
    if unit.dissolved_on and unit.dissolved_on <= timezone.localdate():
        return f"{what} “{unit.code}” ({unit.name}) đã giải thể từ ngày {unit.dissolved_on:%d/%m/%Y}."
    return None


@dataclass
class _Check:
    errors: list[dict]
    units: dict[str, AdministrativeUnit]  # database units the rows refer to, by code
    schools: dict[str, School] = field(default_factory=dict)  # database schools the rows refer to (accounts)


def _check_units(rows: list[dict], scope: Scope) -> _Check:
    errors = _Errors(ImportKind.UNITS)
    codes = {r["code"] for r in rows if r["code"]}
    existing = _existing_codes(AdministrativeUnit, codes)
    first_row_of: dict[str, int] = {}
    for r in rows:
        first_row_of.setdefault(r["code"], r["row"])
    db_parents = _by_code(AdministrativeUnit, {r["parent_code"] for r in rows if r["parent_code"]} - codes)
    seen: dict[str, int] = {}
    kinds_in_file: dict[str, str | None] = {}  # code of an earlier row → its kind (None when unreadable)
    for row in rows:
        number, code, parent_code = row["row"], row["code"], row["parent_code"]
        code_ok = _check_common(errors, row, "mã đơn vị", seen, existing)
        kind = unit_kind_of(row["kind"], has_parent=bool(parent_code))
        if not row["kind"]:
            errors.add(number, "kind", "Thiếu cấp đơn vị.")
        elif kind is None:
            errors.add(
                number,
                "kind",
                f"Cấp “{shown(row['kind'])}” không hợp lệ. Dùng một trong: Tỉnh, Thành phố, Huyện, Quận, Thị xã, "
                "Xã, Phường, Thị trấn, Đặc khu.",
            )
        parent_known, parent_kind = True, None
        if not parent_code:
            if not scope.is_admin:
                errors.add(
                    number,
                    "parent_code",
                    "Thiếu mã đơn vị cấp trên. Chỉ quản trị hệ thống mới được thêm tỉnh/thành phố "
                    "(đơn vị không có cấp trên).",
                )
                parent_known = False
        elif parent_code == code:
            errors.add(number, "parent_code", "Đơn vị không thể là cấp trên của chính nó.")
            parent_known = False
        elif parent_code in kinds_in_file:
            parent_kind = kinds_in_file[parent_code]
            parent_known = parent_kind is not None
        elif parent_code in first_row_of:
            errors.add(
                number,
                "parent_code",
                f"Đơn vị cấp trên “{parent_code}” nằm ở dòng {first_row_of[parent_code]}, sau dòng này. "
                "Hãy xếp đơn vị cấp trên lên trước các đơn vị trực thuộc.",
            )
            parent_known = False
        elif parent_code in db_parents:
            parent = db_parents[parent_code]
            problem = _unit_problem(parent, scope, "Đơn vị cấp trên")
            if problem:
                errors.add(number, "parent_code", problem)
                parent_known = False
            parent_kind = parent.kind
        else:
            errors.add(
                number,
                "parent_code",
                f"Không tìm thấy đơn vị cấp trên có mã “{shown(parent_code)}” trong hệ thống hoặc ở các dòng phía "
                "trên.",
            )
            parent_known = False
        if kind and parent_known:
            try:
                services.validate_unit_parent(kind, AdministrativeUnit(kind=parent_kind) if parent_kind else None)
            except ValidationError as e:
                errors.add(number, "parent_code", error_message(e))
        if code_ok and code not in seen:
            seen[code] = number
            kinds_in_file[code] = kind
    return _Check(errors.items, db_parents)


def _check_schools(rows: list[dict], scope: Scope) -> _Check:
    errors = _Errors(ImportKind.SCHOOLS)
    existing = _existing_codes(School, {r["code"] for r in rows if r["code"]})
    units = _by_code(AdministrativeUnit, {r["unit_code"] for r in rows if r["unit_code"]})
    this_year = timezone.localdate().year
    seen: dict[str, int] = {}
    for row in rows:
        number = row["row"]
        if _check_common(errors, row, "mã trường", seen, existing) and row["code"] not in seen:
            seen[row["code"]] = number
        if not row["school_type"]:
            errors.add(number, "school_type", "Thiếu loại trường.")
        elif school_type_of(row["school_type"]) is None:
            errors.add(
                number,
                "school_type",
                f"Loại trường “{shown(row['school_type'])}” không hợp lệ. Dùng một trong: MN, MG, NT, TH, THCS, THPT, "
                "TH&THCS, THCS&THPT, PTNCH.",
            )
        if ownership_of(row["ownership"]) is None:
            errors.add(
                number,
                "ownership",
                f"Loại hình “{shown(row['ownership'])}” không hợp lệ. Dùng Công lập, Tư thục hoặc Dân lập.",
            )
        unit_code = row["unit_code"]
        if not unit_code:
            errors.add(number, "unit_code", "Thiếu mã đơn vị quản lý.")
        elif unit_code not in units:
            errors.add(number, "unit_code", f"Không tìm thấy đơn vị quản lý có mã “{shown(unit_code)}”.")
        else:
            problem = _unit_problem(units[unit_code], scope, "Đơn vị quản lý")
            if problem:
                errors.add(number, "unit_code", problem)
        year = row["founded_year"]
        if year:
            if not year.isdigit():
                errors.add(number, "founded_year", f"Năm thành lập “{shown(year)}” không phải là số (ví dụ 1995).")
            elif len(year) > 4 or not 1800 <= int(year) <= this_year:
                errors.add(
                    number, "founded_year", f"Năm thành lập “{shown(year)}” không hợp lệ (từ 1800 đến {this_year})."
                )
    return _Check(errors.items, units)


def _check_accounts(rows: list[dict], scope: Scope) -> _Check:
    """Accounts: a name, a free and well-formed username, a valid address, and a role the importer may give at the
    unit or school named (accounts.access.may_grant)."""
    errors = _Errors(ImportKind.ACCOUNTS)
    names = sorted({r["username"].lower() for r in rows if r["username"]})
    taken: set[str] = set()  # usernames differing only in case are one account (as user_create checks)
    for start in range(0, len(names), _LOOKUP_CHUNK):
        chunk = names[start : start + _LOOKUP_CHUNK]
        taken.update(User.objects.annotate(low=Lower("username")).filter(low__in=chunk).values_list("low", flat=True))
    units = _by_code(AdministrativeUnit, {r["unit_code"] for r in rows if r["unit_code"]})
    school_codes = sorted({r["school_code"] for r in rows if r["school_code"]})
    schools: dict[str, School] = {}
    for start in range(0, len(school_codes), _LOOKUP_CHUNK):
        chunk = school_codes[start : start + _LOOKUP_CHUNK]
        schools.update((s.code, s) for s in School.objects.select_related("unit").filter(code__in=chunk))
    seen: dict[str, int] = {}
    for row in rows:
        number = row["row"]
        if not row["full_name"]:
            errors.add(number, "full_name", "Thiếu họ và tên.")
        for column in columns_for(ImportKind.ACCOUNTS):
            value = row.get(column.key, "")
            if column.max_length and len(value) > column.max_length:
                errors.add(number, column.key, f"Dài quá {column.max_length} ký tự (hiện có {len(value)}).")
        username = row["username"]
        if not username:
            errors.add(number, "username", "Thiếu tên đăng nhập.")
        elif not USERNAME_PATTERN.fullmatch(username):
            errors.add(
                number, "username", f"Tên đăng nhập “{shown(username)}” chỉ được gồm chữ không dấu, số và . - _ @."
            )
        elif username.lower() in seen:
            errors.add(number, "username", f"Tên đăng nhập “{username}” bị trùng với dòng {seen[username.lower()]}.")
        elif username.lower() in taken:
            errors.add(number, "username", f"Tên đăng nhập “{username}” đã có người dùng.")
        if username:
            seen.setdefault(username.lower(), number)
        if row["email"]:
            try:
                validate_email(row["email"])
            except ValidationError:
                errors.add(number, "email", f"Địa chỉ thư “{shown(row['email'])}” không hợp lệ.")
        role = role_of(row["role"])
        if role is None:
            errors.add(
                number,
                "role",
                f"Vai trò “{shown(row['role'])}” không hợp lệ. Dùng “Cán bộ quản lý” hoặc “Hiệu trưởng”.",
            )
        elif role == Role.OFFICER:
            unit = units.get(row["unit_code"])
            if not row["unit_code"]:
                errors.add(number, "unit_code", "Cán bộ quản lý cần mã đơn vị.")
            elif unit is None:
                errors.add(number, "unit_code", f"Không tìm thấy đơn vị có mã “{shown(row['unit_code'])}”.")
            elif not may_grant(scope, role, unit=unit):
                errors.add(
                    number, "unit_code", f"Đơn vị “{unit.code}” ({unit.name}) nằm ngoài phạm vi quản lý của bạn."
                )
        else:
            school = schools.get(row["school_code"])
            if not row["school_code"]:
                errors.add(number, "school_code", "Hiệu trưởng cần mã trường.")
            elif school is None:
                errors.add(number, "school_code", f"Không tìm thấy trường có mã “{shown(row['school_code'])}”.")
            elif not may_grant(scope, role, school=school):
                errors.add(
                    number, "school_code", f"Trường “{school.code}” ({school.name}) nằm ngoài phạm vi quản lý của bạn."
                )
    return _Check(errors.items, units, schools)


CHECKERS = {ImportKind.UNITS: _check_units, ImportKind.SCHOOLS: _check_schools, ImportKind.ACCOUNTS: _check_accounts}


def check_rows(kind: str, rows: list[dict], scope: Scope) -> _Check:
    result = CHECKERS[kind](rows, scope)
    result.errors.sort(key=lambda e: e["row"])  # stable: within a row, the column order of the checks
    return result
