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
class Scope:
    is_admin: bool = False
    unit_paths: tuple[str, ...] = ()  # officer units: everything below these paths
    school_roles: dict[int, frozenset[str]] = field(default_factory=dict)  # school id -> roles held there
    evaluator: bool = False
    offices: tuple[Office, ...] = ()  # the bodies the officer works for (what they may decide: recognition.authority)

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


def _memberships_scope(user) -> Scope:
    """The scope given by the user's active memberships (one query)."""
    unit_paths: list[str] = []
    offices: set[Office] = set()
    school_roles: dict[int, set[str]] = {}
    is_admin = False
    evaluator = False
    for m in (
        Membership.objects.active()
        .filter(user=user)
        .select_related("unit")
        .only("role", "school_id", "body", "unit__path")
    ):
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
    )
