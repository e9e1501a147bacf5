"""A council member is given a login in one step from the council page (issue #21): the principal creates the
account with the member, linked to it, invited by e-mail (or told to print the slip); anyone else is refused and
nothing is written."""

import pytest
from django.core import mail
from django.urls import reverse

from kiemdinh.accounts.models import Role, User
from kiemdinh.selfassessment.models import CouncilMember

pytestmark = pytest.mark.usefixtures("frameworks_loaded")


def _add(client, cycle, **fields):
    data = {"full_name": "Phan Thị Mới", "job_title": "Giáo viên", "role": "uy_vien", "user": "", "group": ""}
    data.update(fields)
    return client.post(reverse("selfassessment:council_member_add", args=[cycle.pk]), data)


def test_the_principal_adds_a_member_with_a_new_account_and_an_invitation(world, cycle, client):
    client.force_login(world.principal_a)
    response = _add(client, cycle, new_username="phan.moi", new_email="phan.moi@example.vn")
    assert response.status_code == 302
    member = CouncilMember.objects.get(cycle=cycle, full_name="Phan Thị Mới")
    assert member.user.username == "phan.moi" and not member.user.has_usable_password()
    assert member.user.memberships.get().role == Role.MEMBER and member.user.memberships.get().school == cycle.school
    (letter,) = mail.outbox
    assert letter.to == ["phan.moi@example.vn"] and "/tai-khoan/dat-mat-khau/" in letter.body
    page = client.get(reverse("selfassessment:council", args=[cycle.pk])).content.decode()
    assert "phan.moi" in page  # the account list offers the new account


def test_without_email_the_page_says_to_print_the_slip(world, cycle, client):
    client.force_login(world.principal_a)
    response = _add(client, cycle, new_username="khong.thu")
    assert response.status_code == 302 and not mail.outbox
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("in phiếu đặt mật khẩu" in m for m in messages)


@pytest.mark.parametrize(
    ("who", "fields", "error"),
    [
        ("secretary_a", {"new_username": "boi.thu.ky"}, "Chỉ hiệu trưởng tạo được tài khoản"),
        ("principal_a", {"new_username": "ca.hai", "user": "member_a"}, "không cả hai"),
        ("principal_a", {"new_username": "hieutruong_a"}, "đã có người dùng"),
        ("principal_a", {"new_email": "chi.thu@example.vn"}, "Hãy nhập tên đăng nhập"),
    ],
)
def test_refusals_write_nothing(world, cycle, client, who, fields, error):
    if fields.get("user") == "member_a":
        fields["user"] = world.member_a.pk
    client.force_login(getattr(world, who))
    before = (User.objects.count(), CouncilMember.objects.count())
    response = _add(client, cycle, **fields)
    assert error in response.content.decode()
    assert (User.objects.count(), CouncilMember.objects.count()) == before
    assert not mail.outbox


def test_the_monitoring_team_gets_a_member_with_a_new_account(world, cycle, client):
    from kiemdinh.improvement.services import plan_create

    plan = plan_create(actor=world.principal_a, cycle=cycle)
    client.force_login(world.principal_a)
    url = reverse("improvement:monitor_add", args=[cycle.pk])
    nameless = client.post(url, {"full_name": "", "role": "member", "new_username": "vo.danh"}, follow=True)
    assert "Hãy nhập họ và tên" in nameless.content.decode() and not User.objects.filter(username="vo.danh").exists()
    done = client.post(
        url,
        {"full_name": "Hồ Thị Giám", "role": "member", "new_username": "ho.giam", "new_email": "ho.giam@example.vn"},
        follow=True,
    )
    assert "gửi thư mời đặt mật khẩu đến ho.giam@example.vn" in done.content.decode()
    monitor = plan.monitors.get(full_name="Hồ Thị Giám")
    assert monitor.user.username == "ho.giam" and monitor.user.memberships.get().role == Role.STAFF
    assert mail.outbox[0].to == ["ho.giam@example.vn"]
