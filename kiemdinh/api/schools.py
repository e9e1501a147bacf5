"""Schools the signed-in user may see (list, detail) and may edit (patch)."""

from typing import Annotated

from django.utils import timezone
from ninja import Router, Schema
from ninja.security import django_auth
from pydantic import Field, field_validator

from kiemdinh.api.shared import MAX_PAGE, ErrorOut, Id, no_nul
from kiemdinh.core.text import fold
from kiemdinh.units.access import access_school, access_unit, schools_visible
from kiemdinh.units.models import Ownership
from kiemdinh.units.services import school_update

router = Router()


class SchoolOut(Schema):
    id: int
    code: str
    name: str
    school_type: str
    ownership: str
    unit_id: int
    unit_name: str
    address: str
    phone: str
    founded_year: int | None
    framework: str


def _school_out(s) -> dict:
    return {
        "id": s.pk,
        "code": s.code,
        "name": s.name,
        "school_type": s.school_type,
        "ownership": s.ownership,
        "unit_id": s.unit_id,
        "unit_name": s.unit.name,
        "address": s.address,
        "phone": s.phone,
        "founded_year": s.founded_year,
        "framework": s.framework_code(),
    }


@router.get("/schools", response=list[SchoolOut], auth=django_auth, tags=["schools"])
def school_list(
    request,
    q: str = "",
    unit: Id | None = None,
    limit: Annotated[int, Field(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Field(ge=0, le=2**31 - 1)] = 0,
):
    """Schools the signed-in user may see; q searches names and codes ignoring diacritics; at most 500 a page."""
    schools = schools_visible(request.user).select_related("unit").order_by("name")
    if unit is not None:
        schools = schools.within(access_unit(request.user, unit))
    if q:
        schools = schools.filter(search_text__contains=fold(no_nul(q, "q")))
    return [_school_out(s) for s in schools[offset : offset + limit]]


@router.get("/schools/{school_id}", response={200: SchoolOut, 404: ErrorOut}, auth=django_auth, tags=["schools"])
def school_detail(request, school_id: Id):
    return _school_out(access_school(request.user, school_id))


class SchoolPatchIn(Schema):
    """Only the fields sent change. Text fields may not be null (send "" to clear address or phone); founded_year may
    (null clears it). Lengths and the year range are those of the school record."""

    name: str = Field(None, min_length=1, max_length=200)
    address: str = Field(None, max_length=300)
    phone: str = Field(None, max_length=40)
    founded_year: int | None = Field(None, ge=1800)
    ownership: Ownership = None

    @field_validator("name", "address", "phone")
    @classmethod
    def _text_without_nul(cls, value: str) -> str:
        if "\x00" in value:
            raise ValueError("Không được chứa ký tự NUL.")
        return value

    @field_validator("founded_year")
    @classmethod
    def _not_in_future(cls, value: int | None) -> int | None:
        if value is not None and value > timezone.localdate().year:
            raise ValueError("Năm thành lập không được ở tương lai.")
        return value


@router.patch(
    "/schools/{school_id}",
    response={200: SchoolOut, 403: ErrorOut, 404: ErrorOut, 422: dict},
    auth=django_auth,
    tags=["schools"],
)
def school_patch(request, school_id: Id, payload: SchoolPatchIn):
    school = access_school(request.user, school_id, write=True)
    changes = payload.dict(exclude_unset=True)
    if "ownership" in changes:
        changes["ownership"] = Ownership(changes["ownership"]).value
    return _school_out(school_update(actor=request.user, school=school, **changes))
