"""Named test personas, built through the real services (DESIGN.md, Testing).

School A and school B sit in different communes of one district of province P; province Q is elsewhere. Province P's
two deciding bodies have an officer each: the Sở GD&ĐT (officer_province) and the People's Committee
(officer_committee); the commune's officer works for its People's Committee, the district's for its Phòng GD&ĐT.
"""

import dataclasses
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.test import override_settings

from kiemdinh.accounts.models import Body, Role, User
from kiemdinh.accounts.services import membership_grant, user_create
from kiemdinh.frameworks.models import Criterion, Level4Item
from kiemdinh.frameworks.services import framework_version_load
from kiemdinh.frameworks.spec import data_files, read_data_file
from kiemdinh.selfassessment.models import CriterionForm
from kiemdinh.selfassessment.services import criterion_form_save
from kiemdinh.units.models import AdministrativeUnit, School, SchoolType, UnitKind
from kiemdinh.units.services import school_create, unit_create

PASSWORD = "mat-khau-thu-nghiem-2026"


@dataclass
class World:
    province: AdministrativeUnit
    district: AdministrativeUnit
    commune_a: AdministrativeUnit
    commune_b: AdministrativeUnit
    other_province: AdministrativeUnit
    school_a: School
    school_b: School
    school_other: School
    admin: User
    principal_a: User
    secretary_a: User
    member_a: User
    officer_commune_a: User
    officer_district: User
    officer_province: User
    officer_committee: User
    officer_other_province: User
    evaluator: User
    principal_b: User


def build_world() -> World:
    province = unit_create(actor=None, code="P01", name="Tỉnh Thử Nghiệm", kind=UnitKind.PROVINCE)
    district = unit_create(actor=None, code="P01-D1", name="Huyện Đông Sơn", kind=UnitKind.DISTRICT, parent=province)
    commune_a = unit_create(actor=None, code="P01-D1-A", name="Xã An Bình", kind=UnitKind.COMMUNE, parent=district)
    commune_b = unit_create(actor=None, code="P01-D1-B", name="Xã Bình Minh", kind=UnitKind.COMMUNE, parent=district)
    other = unit_create(actor=None, code="Q02", name="Tỉnh Khác", kind=UnitKind.PROVINCE)
    other_commune = unit_create(actor=None, code="Q02-X", name="Phường Hòa Hải", kind=UnitKind.COMMUNE, parent=other)
    school_a = school_create(
        actor=None, code="SA", name="Trường Tiểu học An Bình", school_type=SchoolType.TH, unit=commune_a
    )
    school_b = school_create(
        actor=None, code="SB", name="Trường Mầm non Bình Minh", school_type=SchoolType.MN, unit=commune_b
    )
    school_other = school_create(
        actor=None, code="SQ", name="Trường THCS Hòa Hải", school_type=SchoolType.THCS, unit=other_commune
    )

    def person(username, full_name, role, **where):
        user = user_create(actor=None, username=username, password=PASSWORD, full_name=full_name)
        membership_grant(actor=None, user=user, role=role, **where)
        return user

    admin = person("quantri", "Quản Trị Viên", Role.ADMIN)
    return World(
        province=province,
        district=district,
        commune_a=commune_a,
        commune_b=commune_b,
        other_province=other,
        school_a=school_a,
        school_b=school_b,
        school_other=school_other,
        admin=admin,
        principal_a=person("hieutruong_a", "Nguyễn Văn An", Role.PRINCIPAL, school=school_a),
        secretary_a=person("thuky_a", "Trần Thị Thu", Role.SECRETARY, school=school_a),
        member_a=person("thanhvien_a", "Lê Văn Minh", Role.MEMBER, school=school_a),
        officer_commune_a=person("canbo_xa_a", "Phạm Thị Hoa", Role.OFFICER, unit=commune_a),
        officer_district=person("canbo_huyen", "Hoàng Văn Dũng", Role.OFFICER, unit=district),
        officer_province=person("canbo_so", "Đinh Thị Sương", Role.OFFICER, unit=province, body=Body.EDUCATION),
        officer_committee=person("canbo_ubnd_tinh", "Lý Văn Khải", Role.OFFICER, unit=province, body=Body.COMMITTEE),
        officer_other_province=person("canbo_tinh_khac", "Vũ Thị Lan", Role.OFFICER, unit=other),
        evaluator=person("danhgiavien", "Đặng Văn Tâm", Role.EVALUATOR, unit=other),
        principal_b=person("hieutruong_b", "Bùi Thị Bình", Role.PRINCIPAL, school=school_b),
    )


# --- Data built once per test module ---------------------------------------------------------------------------------


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@contextmanager
def rolled_back(django_db_blocker):
    """For a module-scoped fixture: what is built inside stays for the module's tests (each runs in its own savepoint
    within) and is rolled back at the module's end. Passwords are hashed with MD5 inside, as in the tests themselves
    (the plugin's per-test setting is not active yet in a module's fixture): Argon2 takes about half a second a user."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS), transaction.atomic():
        try:
            yield
        finally:
            transaction.set_rollback(True)


def load_frameworks(only: tuple[str, ...] = ()) -> None:
    """Load the regulation versions (all, or those whose id is in `only`) through the real service."""

    for path in data_files():
        if not only or path.stem in only:
            framework_version_load(data=read_data_file(path))


def fresh_world(world: World) -> World:
    """The same personas, reloaded: nothing a test caches on them leaks into the next test."""
    return dataclasses.replace(
        world,
        **{
            f.name: type(obj).objects.get(pk=obj.pk)
            for f in dataclasses.fields(world)
            if (obj := getattr(world, f.name))
        },
    )


def form_saved(cycle, actor, *, code: str | None = None, level4: str | None = None, **texts):
    """Save a criterion's (or a Mức 4 item's) form through the service, as the form page does, from its current
    version; `texts` are the form's fields (strengths, weaknesses, improvement)."""

    criterion = Criterion.objects.get(version_id=cycle.framework_id, code=code) if code else None
    level4_item = Level4Item.objects.get(version_id=cycle.framework_id, code=level4) if level4 else None
    form = CriterionForm.objects.filter(cycle=cycle, criterion=criterion, level4_item=level4_item).first()
    return criterion_form_save(
        actor=actor,
        cycle=cycle,
        criterion=criterion,
        level4_item=level4_item,
        base_version=form.version if form else 0,
        descriptions={},
        **texts,
    )


def deploy_check(env: dict) -> None:
    """`manage.py check --deploy --fail-level WARNING` in a fresh process with this environment: clean, or the test
    fails with what it printed."""

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
