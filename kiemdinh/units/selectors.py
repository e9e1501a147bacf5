"""Reads of units and schools used by commands and pages."""

import re

from django.core.exceptions import ObjectDoesNotExist

from kiemdinh.core.text import fold, nfc
from kiemdinh.units.models import AdministrativeUnit, School


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
