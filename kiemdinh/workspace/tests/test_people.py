"""Account administration (issue #21, part 1): who may create whom, invitations by e-mail or printed slip, the
one-time link, ending and changing roles with a reason, and refusals that change nothing."""

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from kiemdinh.accounts.models import Membership, Role, User
from kiemdinh.accounts.services import user_create
from kiemdinh.core.models import AuditEvent
from kiemdinh.testing.world import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Mat-khau-moi-2026!"


def _link(text: str) -> str:
    return re.search(r"https?://[^/\s]+(/tai-khoan/dat-mat-khau/[^/\s<]+/[^/\s<]+/)", text).group(1)


def _set_password(client, path: str) -> None:
    page = client.get(path, follow=True)  # Django moves the token into the session and redirects
    assert page.status_code == 200 and "Đặt mật khẩu" in page.content.decode()
    done = client.post(page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("accounts:password_reset_complete")


def _sign_in(client, username: str, password: str) -> bool:
    response = client.post(reverse("accounts:login"), {"username": username, "password": password})
    return response.status_code == 302


def _create(client, **fields):
    data = {"full_name": "", "username": "", "email": "", "role": "", "unit": "", "school": "", "title": ""}
    data.update({k: (v.pk if hasattr(v, "pk") else v) for k, v in fields.items()})
    return client.post(reverse("workspace:person_create"), data)


def test_province_officer_invites_commune_officer_who_invites_a_principal_who_gives_the_council_logins(world, client):
    """The issue's chain, as users would do it: each new person signs in with the password they set from their link."""
    first_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    client.force_login(world.officer_province)
    response = _create(
        client,
        full_name="Ngô Thị Mới",
        username="canbo_xa_moi",
        email="ngo.moi@example.vn",
        role=Role.OFFICER,
        unit=world.school_b.unit,
    )
    assert response.status_code == 302
    officer = User.objects.get(username="canbo_xa_moi")
    assert not officer.has_usable_password()
    assert officer.memberships.get().unit == world.school_b.unit
    (letter,) = mail.outbox
    assert letter.to == ["ngo.moi@example.vn"] and "canbo_xa_moi" in letter.body
    client.logout()
    _set_password(client, _link(letter.body))
    assert _sign_in(client, "canbo_xa_moi", NEW_PASSWORD)

    # The new commune officer makes a principal with no e-mail: a printable slip.
    page = _create(
        client,
        full_name="Đào Văn Hiệu",
        username="hieutruong_moi",
        role=Role.PRINCIPAL,
        school=world.school_b,
    )
    assert page.status_code == 200
    slip = page.content.decode()
    assert "hieutruong_moi" in slip and "Phiếu đặt mật khẩu" in slip
    client.logout()
    _set_password(client, _link(slip))
    assert _sign_in(client, "hieutruong_moi", NEW_PASSWORD)

    # The principal gives a council member a login.
    assert (
        _create(
            client,
            full_name="Tạ Thị Hội",
            username="thanhvien_moi",
            email="ta.hoi@example.vn",
            role=Role.MEMBER,
            school=world.school_b,
        ).status_code
        == 302
    )
    assert Membership.objects.get(user__username="thanhvien_moi").role == Role.MEMBER
    events = AuditEvent.objects.filter(
        pk__gt=first_event, event_type__in=["user.created", "membership.granted", "user.invited"]
    )
    assert events.count() == 9  # three accounts: created, given their role, invited (by e-mail, slip, e-mail)


def test_the_link_works_once(world, client):
    client.force_login(world.principal_a)
    _create(
        client,
        full_name="Lê Một Lần",
        username="motlan",
        email="mot.lan@example.vn",
        role=Role.STAFF,
        school=world.school_a,
    )
    path = _link(mail.outbox[0].body)
    client.logout()
    _set_password(client, path)
    again = client.get(path, follow=True)
    assert "không còn dùng được" in again.content.decode()


@pytest.mark.parametrize(
    ("who", "fields"),
    [
        ("principal_a", {"role": Role.PRINCIPAL, "school": "school_a"}),  # a principal makes no principal
        ("principal_a", {"role": Role.MEMBER, "school": "school_b"}),  # not their school
        ("officer_commune_a", {"role": Role.OFFICER, "unit": "district"}),  # a unit above theirs
        ("officer_commune_a", {"role": Role.PRINCIPAL, "school": "school_other"}),  # another province
        ("officer_other_province", {"role": Role.OFFICER, "unit": "commune_a"}),
        ("member_a", {"role": Role.STAFF, "school": "school_a"}),  # no administration at all
    ],
)
def test_nobody_grants_more_than_they_hold(world, client, who, fields):
    places = {
        "school_a": world.school_a,
        "school_b": world.school_b,
        "school_other": world.school_other,
        "district": world.school_a.unit.parent,
        "commune_a": world.school_a.unit,
    }
    client.force_login(getattr(world, who))
    before = (User.objects.count(), Membership.objects.count(), AuditEvent.objects.count())
    response = _create(
        client,
        full_name="Người Lạ",
        username="nguoi_la",
        **{k: (places[v] if k in ("school", "unit") else v) for k, v in fields.items()},
    )
    assert response.status_code in (400, 403)
    assert (User.objects.count(), Membership.objects.count(), AuditEvent.objects.count()) == before


def test_password_rules_and_bad_input_change_nothing(world, client):
    client.force_login(world.officer_commune_a)
    before = User.objects.count()
    taken = _create(client, full_name="Trùng Tên", username="HIEUTRUONG_A", role=Role.PRINCIPAL, school=world.school_a)
    assert taken.status_code == 400 and "đã có người dùng" in taken.content.decode()
    spaced = _create(client, full_name="Có Dấu", username="có dấu cách", role=Role.PRINCIPAL, school=world.school_a)
    assert spaced.status_code == 400 and "Tên đăng nhập chỉ gồm" in spaced.content.decode()
    no_school = _create(client, full_name="Thiếu Trường", username="thieu", role=Role.PRINCIPAL)
    assert no_school.status_code == 400 and "cần chọn trường" in no_school.content.decode()
    assert User.objects.count() == before

    with pytest.raises(ValidationError) as refused:
        user_create(actor=None, username="yeu", password="123", full_name="Mật Khẩu Yếu")
    assert "password" in refused.value.error_dict  # the password rules hold when an account is made with one
    assert not User.objects.filter(username="yeu").exists()


def test_ending_and_changing_a_role_need_a_reason_and_are_audited(world, client):
    client.force_login(world.principal_a)
    membership = world.member_a.memberships.get()
    no_reason = client.post(reverse("workspace:membership_end", args=[membership.pk]), {"reason": " "}, follow=True)
    assert "Hãy ghi lý do" in no_reason.content.decode()
    membership.refresh_from_db()
    assert membership.is_active

    client.post(
        reverse("workspace:membership_role", args=[membership.pk]),
        {"role": Role.SECRETARY, "reason": "Được phân công làm thư ký thay cô Thu"},
    )
    membership.refresh_from_db()
    assert membership.role == Role.SECRETARY
    event = AuditEvent.objects.get(event_type="membership.role_changed")
    assert event.data["reason"] == "Được phân công làm thư ký thay cô Thu" and event.data["from"] == Role.MEMBER

    client.post(reverse("workspace:membership_end", args=[membership.pk]), {"reason": "Chuyển công tác"})
    membership.refresh_from_db()
    world.member_a.refresh_from_db()
    assert not membership.is_active and not world.member_a.is_active  # no role left: cannot sign in
    client.logout()
    assert not _sign_in(client, "thanhvien_a", PASSWORD)


def test_a_principal_cannot_touch_the_principal_or_another_schools_people(world, client):
    client.force_login(world.principal_a)
    mine = world.principal_a.memberships.get()
    other = world.principal_b.memberships.get()
    for membership, status in ((mine, 404), (other, 404)):
        response = client.post(reverse("workspace:membership_end", args=[membership.pk]), {"reason": "thử"})
        assert response.status_code == status
        membership.refresh_from_db()
        assert membership.is_active
    assert client.post(reverse("workspace:person_slip", args=[world.principal_b.pk])).status_code == 404


def test_the_page_lists_only_the_scope_and_is_refused_to_others(world, client):
    client.force_login(world.officer_commune_a)
    page = client.get(reverse("workspace:people")).content.decode()
    assert "hieutruong_a" in page and "canbo_xa_a" in page
    assert "hieutruong_b" not in page and "canbo_so" not in page and "thanhvien_a" not in page
    client.force_login(world.member_a)
    assert client.get(reverse("workspace:people")).status_code == 403
    client.logout()
    assert client.get(reverse("workspace:people")).status_code == 302
