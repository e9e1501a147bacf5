"""Who may see what. Every protected object is loaded through an access_* function of its app, built on Scope."""

from dataclasses import dataclass, field, replace

from kiemdinh.accounts.models import Membership, Role


@dataclass(frozen=True)
class Office:
    """One body an officer works for: the unit (its id and path) and which of its bodies (accounts.models.Body)."""

    unit_id: int
    unit_path: str
    body: str


@dataclass(frozen=True)
class RoleHeld:
    """One active role of the user, as the header's picker names it."""

    membership_id: int
    label: str


@dataclass(frozen=True)
class Scope:
    is_admin: bool = False
    unit_paths: tuple[str, ...] = ()  # officer units: everything below these paths
    school_roles: dict[int, frozenset[str]] = field(default_factory=dict)  # school id -> roles held there
    evaluator: bool = False
    offices: tuple[Office, ...] = ()  # the bodies the officer works for (what they may decide: recognition.authority)
    roles: tuple[RoleHeld, ...] = ()  # every active role, for the picker (whatever the user acts as)
    acting: int | None = None  # the membership the user chose to act as (the scope is then that role's alone)

    @property
    def school_ids(self) -> frozenset[int]:
        return frozenset(self.school_roles)

    def covers_path(self, path: str) -> bool:
        return self.is_admin or any(path.startswith(p) for p in self.unit_paths)

    def roles_at_school(self, school_id: int) -> frozenset[str]:
        return self.school_roles.get(school_id, frozenset())

    def works_for(self, unit_id: int, body: str) -> bool:
        """Whether the user is an officer of that body of that unit (not of a unit above or below it)."""
        return any(o.unit_id == unit_id and o.body == body for o in self.offices)


def user_scope(user) -> Scope:
    """The user's scope, computed once per request (one query), on the request's user object; never kept between
    requests, so a membership ended or changed applies to the very next request on every server."""
    if not getattr(user, "is_authenticated", False):
        return Scope()
    cached = getattr(user, "_kiemdinh_scope", None)
    if cached is not None:
        return cached
    scope = _memberships_scope(user)
    if user.is_superuser and not scope.is_admin:
        scope = replace(scope, is_admin=True)
    user._kiemdinh_scope = scope
    return scope


def _role_label(m: Membership) -> str:
    where = m.school.name if m.school_id else (m.unit.name if m.unit_id else "toàn hệ thống")
    return f"{m.get_role_display()} — {where}"


def _memberships_scope(user) -> Scope:
    """The scope given by the user's active memberships (one query); only the chosen one's when the user acts as one
    of several (`user._kiemdinh_acting`, set from the session by ActingRoleMiddleware)."""
    rows = list(
        Membership.objects.active()
        .filter(user=user)
        .select_related("unit", "school")
        .only("role", "school_id", "body", "unit__path", "unit__name", "school__name")
        .order_by("pk")
    )
    roles = tuple(RoleHeld(m.pk, _role_label(m)) for m in rows)
    acting = getattr(user, "_kiemdinh_acting", None)
    if len(rows) > 1 and acting in {m.pk for m in rows}:
        rows = [m for m in rows if m.pk == acting]
    else:
        acting = None
    unit_paths: list[str] = []
    offices: set[Office] = set()
    school_roles: dict[int, set[str]] = {}
    is_admin = False
    evaluator = False
    for m in rows:
        if m.role == Role.ADMIN:
            is_admin = True
        elif m.role == Role.OFFICER and m.unit_id:
            unit_paths.append(m.unit.path)
            offices.add(Office(unit_id=m.unit_id, unit_path=m.unit.path, body=m.body))
        elif m.role == Role.EVALUATOR:
            evaluator = True
        elif m.school_id:
            school_roles.setdefault(m.school_id, set()).add(m.role)
    return Scope(
        is_admin=is_admin,
        unit_paths=tuple(sorted(set(unit_paths))),
        school_roles={k: frozenset(v) for k, v in school_roles.items()},
        evaluator=evaluator,
        offices=tuple(sorted(offices, key=lambda o: (o.unit_path, o.body))),
        roles=roles,
        acting=acting,
    )


# --- Who may give whom a role (account administration) ------------------------------------------------------------------
# Nobody grants more than they hold: an officer gives the officer role in their own unit or a unit below it and makes
# the principals of the schools below it; a principal gives the school's own roles below theirs (secretary, council
# member, staff); an admin gives any. `unit` and `school` are units.models objects (read through `.path` and
# `.unit.path`, so this module needs no import of the units app).
SCHOOL_ROLES_A_PRINCIPAL_GIVES = (Role.SECRETARY, Role.MEMBER, Role.STAFF)


def may_grant(scope: Scope, role: str, *, unit=None, school=None) -> bool:
    if scope.is_admin:
        return True
    if role == Role.OFFICER:
        return unit is not None and school is None and any(unit.path.startswith(p) for p in scope.unit_paths)
    if role == Role.PRINCIPAL:
        return school is not None and any(school.unit.path.startswith(p) for p in scope.unit_paths)
    if role in SCHOOL_ROLES_A_PRINCIPAL_GIVES:
        return school is not None and Role.PRINCIPAL in scope.roles_at_school(school.pk)
    return False  # admins and evaluators: the system admin's


def may_manage(scope: Scope, membership: Membership) -> bool:
    """Whether the user may end or change this membership: exactly when they may grant it."""
    return may_grant(scope, membership.role, unit=membership.unit, school=membership.school)


def grantable_roles(scope: Scope) -> list[str]:
    """The roles the user may give somewhere, in the order of Role."""
    if scope.is_admin:
        return [r for r in Role.values if r != Role.ADMIN]
    roles = []
    if scope.unit_paths:
        roles += [Role.OFFICER, Role.PRINCIPAL]
    if any(Role.PRINCIPAL in held for held in scope.school_roles.values()):
        roles += list(SCHOOL_ROLES_A_PRINCIPAL_GIVES)
    return [r for r in Role.values if r in roles]
