"""An administrative unit the signed-in user may see."""

from ninja import Router, Schema
from ninja.security import django_auth

from kiemdinh.api.shared import ErrorOut, Id
from kiemdinh.units.access import access_unit

router = Router()


class UnitOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    dissolved_on: str | None


@router.get("/units/{unit_id}", response={200: UnitOut, 404: ErrorOut}, auth=django_auth, tags=["units"])
def unit_detail(request, unit_id: Id):
    unit = access_unit(request.user, unit_id)
    return {
        "id": unit.pk,
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "parent_id": unit.parent_id,
        "dissolved_on": unit.dissolved_on.isoformat() if unit.dissolved_on else None,
    }
