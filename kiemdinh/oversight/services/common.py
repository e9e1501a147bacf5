"""What the oversight writes share: the length limit and label of each text field, and small text helpers."""

from django.core.exceptions import ValidationError

from kiemdinh.core.text import clean, nfc
from kiemdinh.units.models import AdministrativeUnit, School

MAX_LENGTHS = {
    "responsible": 200,
    "full_name": 200,
    "title": 200,
    "phone": 40,
    "email": 200,
    "job_title": 200,
    "organiser": 200,
    "location": 300,
}
LABELS = {
    "responsible": "Người, bộ phận thực hiện",
    "full_name": "Họ và tên",
    "title": "Chức vụ",
    "phone": "Điện thoại",
    "email": "Thư điện tử",
    "job_title": "Chức vụ",
    "organiser": "Đơn vị tổ chức",
    "location": "Địa điểm",
    "training_title": "Nội dung tập huấn",
}
TRAINING_TITLE_MAX = 300


def bounded_text(value, name: str = "") -> str:
    text = clean(str(value or ""))
    limit = MAX_LENGTHS.get(name)
    if limit and len(text) > limit:
        raise ValidationError({name: f"{LABELS.get(name, name)} dài quá {limit} ký tự."})
    return text


def item_lines(value) -> str:
    """Text kept one item a line: lines trimmed, empty lines dropped."""
    return "\n".join(line.strip() for line in nfc(str(value or "")).splitlines() if line.strip())


def signed_in_user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def unit_covers(unit: AdministrativeUnit, school: School) -> bool:
    return school.unit.path.startswith(unit.path)
