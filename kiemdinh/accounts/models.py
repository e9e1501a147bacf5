import re

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

# A username as accounts are made here (one page, an import): Django's characters, ASCII only (“chữ không dấu”), as
# users type them on any keyboard.
USERNAME_PATTERN = re.compile(r"[\w.@+-]{1,150}", re.ASCII)


class User(AbstractUser):
    full_name = models.CharField("họ và tên", max_length=200, blank=True)
    phone = models.CharField("điện thoại", max_length=40, blank=True)

    class Meta:
        verbose_name = "người dùng"
        verbose_name_plural = "người dùng"

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username


class Role(models.TextChoices):
    ADMIN = "admin", "Quản trị hệ thống"
    OFFICER = "officer", "Cán bộ quản lý (Phòng/Sở GD&ĐT, UBND)"
    PRINCIPAL = "principal", "Hiệu trưởng"
    SECRETARY = "secretary", "Thư ký hội đồng tự đánh giá"
    MEMBER = "member", "Thành viên hội đồng tự đánh giá"
    STAFF = "staff", "Cán bộ, giáo viên, nhân viên"
    EVALUATOR = "evaluator", "Đánh giá viên (đánh giá ngoài)"


SCHOOL_ROLES = {Role.PRINCIPAL, Role.SECRETARY, Role.MEMBER, Role.STAFF}
UNIT_ROLES = {Role.OFFICER}


class Body(models.TextChoices):
    """Which body of its unit an officer works for. A province has two that decide here: the Sở GD&ĐT (education)
    and the provincial People's Committee (committee); a district its Phòng GD&ĐT or its UBND; a commune its UBND
    (whose Phòng Văn hóa - Xã hội advises on education). The rule table of recognition.authority says which body does
    what, so the body is data on the membership, never guessed from a title."""

    EDUCATION = "education", "Cơ quan quản lý giáo dục (Sở / Phòng GD&ĐT)"
    COMMITTEE = "committee", "Ủy ban nhân dân"


def default_body(unit) -> str:
    """The body an officer of `unit` is given when none is named: the commune has only its People's Committee; the
    district and the province, their education office (the Sở or the Phòng GD&ĐT), whose staff use this system."""
    return Body.COMMITTEE if unit.is_commune else Body.EDUCATION


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Membership(models.Model):
    """A user's role in a school or an administrative unit. School roles need a school, officers a unit;
    an evaluator may name the unit they belong to (used later to refuse evaluating one's own unit)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("vai trò", max_length=16, choices=Role.choices)
    unit = models.ForeignKey(
        "units.AdministrativeUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    school = models.ForeignKey(
        "units.School", null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    title = models.CharField("chức vụ", max_length=200, blank=True)
    # officers only: the body of the unit they work for (blank for every other role)
    body = models.CharField("cơ quan", max_length=16, choices=Body.choices, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "vai trò"
        verbose_name_plural = "vai trò"
        constraints = [
            models.CheckConstraint(
                name="membership_scope_matches_role",
                condition=(
                    Q(role__in=sorted(r.value for r in SCHOOL_ROLES), school__isnull=False, unit__isnull=True)
                    | Q(role=Role.OFFICER, unit__isnull=False, school__isnull=True)
                    | Q(role=Role.EVALUATOR, school__isnull=True)
                    | Q(role=Role.ADMIN, school__isnull=True, unit__isnull=True)
                ),
            ),
            models.CheckConstraint(
                name="membership_body_of_officers",
                condition=Q(role=Role.OFFICER, body__in=[Body.EDUCATION, Body.COMMITTEE])
                | (~Q(role=Role.OFFICER) & Q(body="")),
            ),
            models.UniqueConstraint(fields=["user", "role", "unit", "school", "body"], name="membership_unique"),
        ]

    def __str__(self):
        where = self.school or self.unit or "toàn hệ thống"
        body = f" ({self.get_body_display()})" if self.body else ""
        return f"{self.user} — {self.get_role_display()}{body} — {where}"
