"""The signed-in user and their memberships."""

from ninja import Router, Schema
from ninja.security import django_auth

from kiemdinh.accounts.access import user_scope

router = Router()


class MembershipOut(Schema):
    role: str
    role_label: str
    unit_id: int | None
    school_id: int | None


class MeOut(Schema):
    username: str
    full_name: str
    is_admin: bool
    memberships: list[MembershipOut]


@router.get("/me", response=MeOut, auth=django_auth, tags=["accounts"])
def me(request):
    user = request.user
    return {
        "username": user.username,
        "full_name": user.full_name,
        "is_admin": user_scope(user).is_admin,
        "memberships": [
            {"role": m.role, "role_label": m.get_role_display(), "unit_id": m.unit_id, "school_id": m.school_id}
            for m in user.memberships.filter(is_active=True)
        ],
    }
