"""Hội đồng tự đánh giá: members, working groups, assignments, the rule check per regime, carry-over, screens."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kiemdinh.accounts.models import Membership
from kiemdinh.core.models import AuditEvent
from kiemdinh.frameworks.models import Criterion, Level4Item
from kiemdinh.selfassessment.council import selectors
from kiemdinh.selfassessment.council import services as svc
from kiemdinh.selfassessment.models import CouncilMember, CouncilRole, CriterionAssignment, CycleStatus, WorkingGroup
from kiemdinh.selfassessment.services import cycle_set_status
from kiemdinh.workflow.services import cycle_open

pytestmark = pytest.mark.usefixtures("frameworks_loaded")

HTMX = {"HTTP_HX_REQUEST": "true"}
TT57_SOURCE = "Điều 9 Thông tư 57/2026/TT-BGDĐT"


@pytest.fixture
def kindergarten_cycle(make_cycle):  # tt19-2018
    return make_cycle("2025-2026", school="b")


def add_members(cycle, roles, actor=None):
    return [
        svc.council_member_create(actor=actor, cycle=cycle, full_name=f"Thành viên {i}", role=role)
        for i, role in enumerate(roles, start=1)
    ]


def council_roles(chairs=1, secretaries=1, others=0):
    return [CouncilRole.CHAIR] * chairs + [CouncilRole.SECRETARY] * secretaries + [CouncilRole.MEMBER] * others


def criterion(cycle, code):
    return Criterion.objects.get(version=cycle.framework, code=code)


def council_url(cycle, name="council", *args):
    return reverse(f"selfassessment:{name}", args=[cycle.pk, *args])


# --- rules per regime ----------------------------------------------------------------------------------------------


def test_tt57_needs_five_members_an_odd_number_one_chair_and_one_secretary(cycle57):
    assert cycle57.framework.regime == "tt57"
    problems = selectors.council_problems(cycle57)
    assert problems == [
        f"Hội đồng tự đánh giá phải có ít nhất 05 thành viên, hiện có 0 ({TT57_SOURCE}).",
        f"Số thành viên hội đồng phải là số lẻ, hiện có 0 ({TT57_SOURCE}).",
        f"Hội đồng phải có đúng 01 Chủ tịch, hiện có 0 ({TT57_SOURCE}).",
        f"Hội đồng phải có đúng 01 Thư ký, hiện có 0 ({TT57_SOURCE}).",
    ]
    add_members(cycle57, council_roles(others=2))  # 4 members
    assert selectors.council_problems(cycle57) == [
        f"Hội đồng tự đánh giá phải có ít nhất 05 thành viên, hiện có 4 ({TT57_SOURCE}).",
        f"Số thành viên hội đồng phải là số lẻ, hiện có 4 ({TT57_SOURCE}).",
    ]
    add_members(cycle57, [CouncilRole.VICE_CHAIR])  # 5
    assert selectors.council_problems(cycle57) == []
    add_members(cycle57, [CouncilRole.CHAIR])  # 6, two chairs
    assert selectors.council_problems(cycle57) == [
        f"Số thành viên hội đồng phải là số lẻ, hiện có 6 ({TT57_SOURCE}).",
        f"Hội đồng phải có đúng 01 Chủ tịch, hiện có 2 ({TT57_SOURCE}).",
    ]


def test_tt19_kindergarten_needs_seven_members_but_no_odd_number(kindergarten_cycle):
    assert kindergarten_cycle.framework.code == "tt19-2018"
    add_members(kindergarten_cycle, council_roles(others=4))  # 6
    problems = selectors.council_problems(kindergarten_cycle)
    assert len(problems) == 1
    assert "ít nhất 07 thành viên, hiện có 6" in problems[0]
    assert "Thông tư 19/2018/TT-BGDĐT" in problems[0]
    add_members(kindergarten_cycle, [CouncilRole.MEMBER, CouncilRole.MEMBER])  # 8: even is fine in 2018
    assert selectors.council_problems(kindergarten_cycle) == []
    assert "07" in selectors.council_notes(kindergarten_cycle)[0]


def test_tt17_checks_roles_only_and_notes_that_the_minimum_is_unconfirmed(cycle):
    add_members(cycle, [CouncilRole.CHAIR])
    problems = selectors.council_problems(cycle)
    assert len(problems) == 1
    assert problems[0].startswith("Hội đồng phải có đúng 01 Thư ký, hiện có 0 (Thông tư 17/2018/TT-BGDĐT")
    assert not any("ít nhất" in p for p in problems)
    add_members(cycle, [CouncilRole.SECRETARY])
    assert selectors.council_problems(cycle) == []
    (note,) = selectors.council_notes(cycle)
    assert "Thông tư 17/2018/TT-BGDĐT" in note and "chưa được xác nhận" in note


def test_tt18_has_the_same_rules_as_tt17(world):
    from kiemdinh.frameworks.models import FrameworkVersion

    tt18 = cycle_open(
        actor=None,
        school=world.school_other,
        school_year="2025-2026",
        framework=FrameworkVersion.objects.get(code="tt18-2018"),
    )
    add_members(tt18, council_roles(chairs=2))
    assert [p.split(",")[0] for p in selectors.council_problems(tt18)] == ["Hội đồng phải có đúng 01 Chủ tịch"]
    assert "chưa được xác nhận" in selectors.council_notes(tt18)[0]


def test_warnings_list_unassigned_criteria_and_level4_items(cycle):
    total = Criterion.objects.filter(version=cycle.framework).count()
    items = Level4Item.objects.filter(version=cycle.framework).count()
    warnings = selectors.council_warnings(cycle)
    assert warnings[0].startswith(f"{total} tiêu chí chưa được phân công")
    assert warnings[1].startswith(f"{items} tiêu chí Mức 4 chưa được phân công")
    group = svc.working_group_create(actor=None, cycle=cycle, name="Nhóm 1")
    svc.criterion_assignments_save(
        actor=None,
        cycle=cycle,
        criteria={c.pk: (group.pk, None) for c in Criterion.objects.filter(version=cycle.framework)},
        level4_items={i.pk: (group.pk, None) for i in Level4Item.objects.filter(version=cycle.framework)},
    )
    assert selectors.council_warnings(cycle) == []


def test_missing_level4_items_are_not_offered_for_assignment(kindergarten_cycle):
    codes = [r.code for r in selectors.assignment_rows(kindergarten_cycle) if r.kind == "level4"]
    assert codes == ["1", "2", "3", "4", "5", "6"]  # TT19 Điều 22, khoản 1–6
    # An item whose text is not known (data marked "missing") has nothing to assign.
    Level4Item.objects.filter(version=kindergarten_cycle.framework, code="6").update(confidence="missing", text="")
    codes = [r.code for r in selectors.assignment_rows(kindergarten_cycle) if r.kind == "level4"]
    assert codes == ["1", "2", "3", "4", "5"]


# --- members and groups --------------------------------------------------------------------------------------------


def test_member_create_checks_account_and_records_one_event(world, cycle):
    before = AuditEvent.objects.count()
    member = svc.council_member_create(
        actor=world.principal_a,
        cycle=cycle,
        full_name="  Lê Văn Minh ",
        job_title="Giáo viên",
        role=CouncilRole.MEMBER,
        user=world.member_a,
    )
    assert (member.full_name, member.user, member.position) == ("Lê Văn Minh", world.member_a, 1)
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert (event.event_type, event.school, event.actor) == ("council.member_added", world.school_a, world.principal_a)

    with pytest.raises(ValidationError) as e:
        svc.council_member_create(actor=None, cycle=cycle, full_name="X", role="uy_vien", user=world.principal_b)
    assert "không thuộc Trường Tiểu học An Bình" in str(e.value)
    with pytest.raises(ValidationError) as e:
        svc.council_member_create(actor=None, cycle=cycle, full_name="Y", role="uy_vien", user=world.member_a)
    assert "đã gắn với thành viên Lê Văn Minh" in str(e.value)
    with pytest.raises(ValidationError) as e:
        svc.council_member_create(actor=None, cycle=cycle, full_name="   ", role="uy_vien")
    assert "Hãy nhập họ và tên." in str(e.value)
    with pytest.raises(ValidationError):
        svc.council_member_create(actor=None, cycle=cycle, full_name="Z", role="truong_ban")
    assert CouncilMember.objects.filter(cycle=cycle).count() == 1


def test_inactive_membership_cannot_be_linked(world, cycle):
    Membership.objects.filter(user=world.secretary_a).update(is_active=False)
    with pytest.raises(ValidationError):
        svc.council_member_create(
            actor=None, cycle=cycle, full_name="Trần Thị Thu", role="thu_ky", user=world.secretary_a
        )


def test_group_names_are_unique_per_cycle(cycle):
    svc.working_group_create(actor=None, cycle=cycle, name="Nhóm 1")
    with pytest.raises(ValidationError) as e:
        svc.working_group_create(actor=None, cycle=cycle, name="nhóm 1")
    assert "đã có nhóm công tác" in str(e.value)
    with pytest.raises(ValidationError):
        svc.working_group_create(actor=None, cycle=cycle, name="")


def test_removing_a_group_in_use_is_refused_unless_moved_or_detached(cycle):
    g1 = svc.working_group_create(actor=None, cycle=cycle, name="Nhóm 1")
    g2 = svc.working_group_create(actor=None, cycle=cycle, name="Nhóm 2")
    (member,) = add_members(cycle, [CouncilRole.MEMBER])
    svc.council_member_update(actor=None, member=member, full_name=member.full_name, role=member.role, group=g1)
    c11, c12 = criterion(cycle, "1.1"), criterion(cycle, "1.2")
    svc.criterion_assignments_save(
        actor=None, cycle=cycle, criteria={c11.pk: (g1.pk, None), c12.pk: (g1.pk, member.pk)}
    )

    with pytest.raises(ValidationError) as e:
        svc.working_group_delete(actor=None, group=g1)
    assert "còn 1 thành viên và 2 tiêu chí" in str(e.value)
    assert WorkingGroup.objects.filter(pk=g1.pk).exists()

    assert svc.working_group_delete(actor=None, group=g1, move_to=g2) == []
    member.refresh_from_db()
    assert member.group == g2
    assert set(CriterionAssignment.objects.filter(cycle=cycle).values_list("group", flat=True)) == {g2.pk}

    assert svc.working_group_delete(actor=None, group=g2, detach=True) == ["tiêu chí 1.1"]
    remaining = CriterionAssignment.objects.get(cycle=cycle)
    assert (remaining.criterion, remaining.group, remaining.member) == (c12, None, member)


def test_removing_a_member_keeps_group_assignments_and_refuses_solo_ones(cycle):
    group = svc.working_group_create(actor=None, cycle=cycle, name="Nhóm 1")
    a, b = add_members(cycle, [CouncilRole.MEMBER, CouncilRole.MEMBER])
    c11, c12 = criterion(cycle, "1.1"), criterion(cycle, "1.2")
    svc.criterion_assignments_save(actor=None, cycle=cycle, criteria={c11.pk: (group.pk, a.pk), c12.pk: (None, b.pk)})
    assert svc.council_member_delete(actor=None, member=a) == []
    assert CriterionAssignment.objects.get(criterion=c11).group == group
    with pytest.raises(ValidationError) as e:
        svc.council_member_delete(actor=None, member=b)
    assert "tiêu chí 1.2" in str(e.value)
    assert CouncilMember.objects.filter(pk=b.pk).exists()
    assert svc.council_member_delete(actor=None, member=b, detach=True) == ["tiêu chí 1.2"]
    assert not CriterionAssignment.objects.filter(criterion=c12).exists()


def test_assignments_are_checked_before_anything_is_written(world, cycle, cycle57):
    group = svc.working_group_create(actor=None, cycle=cycle, name="Nhóm 1")
    foreign_group = svc.working_group_create(actor=None, cycle=cycle57, name="Nhóm 1")
    c11, c12 = criterion(cycle, "1.1"), criterion(cycle, "1.2")
    with pytest.raises(ValidationError) as e:
        svc.criterion_assignments_save(
            actor=None, cycle=cycle, criteria={c11.pk: (group.pk, None), c12.pk: (foreign_group.pk, None)}
        )
    assert "không thuộc hội đồng này" in str(e.value)
    with pytest.raises(ValidationError):
        svc.criterion_assignments_save(
            actor=None, cycle=cycle, criteria={criterion(cycle57, "1.1").pk: (group.pk, None)}
        )
    assert not CriterionAssignment.objects.exists()
    assert svc.criterion_assignments_save(actor=None, cycle=cycle, criteria={c11.pk: (group.pk, None)}) == 1
    assert svc.criterion_assignments_save(actor=None, cycle=cycle, criteria={c11.pk: (None, None)}) == 1
    assert not CriterionAssignment.objects.exists()


def test_writes_are_refused_on_a_submitted_cycle(cycle):
    cycle_set_status(actor=None, cycle=cycle, status=CycleStatus.SUBMITTED)
    with pytest.raises(ValidationError) as e:
        svc.working_group_create(actor=None, cycle=cycle, name="Nhóm 1")
    assert "Đã nộp" in str(e.value)


# --- carry-over ----------------------------------------------------------------------------------------------------


def _council_snapshot(cycle):
    return (
        list(WorkingGroup.objects.filter(cycle=cycle).values_list("name", "note", "position")),
        list(CouncilMember.objects.filter(cycle=cycle).values_list("full_name", "role", "user", "group__name")),
        sorted(
            CriterionAssignment.objects.filter(cycle=cycle).values_list(
                "criterion__code", "level4_item__code", "group__name", "member__full_name"
            ),
            key=str,
        ),
    )


def test_council_copy_matches_criteria_by_code_and_leaves_the_source_unchanged(world, cycle, cycle57):
    group = svc.working_group_create(actor=None, cycle=cycle, name="Nhóm 1", note="Tiêu chuẩn 1 và 5")
    chair = svc.council_member_create(
        actor=None, cycle=cycle, full_name="Nguyễn Văn An", role="chu_tich", user=world.principal_a, group=group
    )
    svc.council_member_create(actor=None, cycle=cycle, full_name="Trần Thị Thu", role="thu_ky")
    item = Level4Item.objects.get(version=cycle.framework, code="1")
    svc.criterion_assignments_save(
        actor=None,
        cycle=cycle,
        criteria={criterion(cycle, "1.1").pk: (group.pk, chair.pk), criterion(cycle, "5.1").pk: (group.pk, None)},
        level4_items={item.pk: (None, chair.pk)},
    )
    before = _council_snapshot(cycle)

    report = svc.council_copy(actor=world.principal_a, source=cycle, target=cycle57)

    assert _council_snapshot(cycle) == before
    assert report.counts == {"groups": 1, "members": 2, "assignments": 1}
    assert "tiêu chí 5.1 (không có trong TT 57/2026)" in report.skipped
    assert any(s.startswith("tiêu chí Mức 4 số 1") for s in report.skipped)
    groups, members, assignments = _council_snapshot(cycle57)
    assert groups == before[0]
    assert members == before[1]
    assert assignments == [("1.1", None, "Nhóm 1", "Nguyễn Văn An")]
    assert AuditEvent.objects.filter(event_type="council.copied").count() == 1

    with pytest.raises(ValidationError) as e:
        svc.council_copy(actor=None, source=cycle, target=cycle57)
    assert "đã có thành viên" in str(e.value)


def test_council_copy_refuses_other_schools_and_later_years(world, cycle, cycle57, kindergarten_cycle):
    with pytest.raises(ValidationError) as e:
        svc.council_copy(actor=None, source=kindergarten_cycle, target=cycle)
    assert "cùng trường" in str(e.value)
    with pytest.raises(ValidationError) as e:
        svc.council_copy(actor=None, source=cycle57, target=cycle)
    assert "năm học trước" in str(e.value)


def test_council_copy_drops_links_to_accounts_no_longer_at_the_school(world, cycle, cycle57):
    svc.council_member_create(actor=None, cycle=cycle, full_name="Lê Văn Minh", role="uy_vien", user=world.member_a)
    Membership.objects.filter(user=world.member_a).update(is_active=False)
    report = svc.council_copy(actor=None, source=cycle, target=cycle57)
    assert CouncilMember.objects.get(cycle=cycle57).user is None
    assert report.skipped == ("tài khoản của Lê Văn Minh (không còn thuộc trường)",)


# --- screens -------------------------------------------------------------------------------------------------------


def test_principal_sees_problems_and_edit_controls(client, world, cycle):
    client.force_login(world.principal_a)
    response = client.get(council_url(cycle))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Hội đồng chưa đúng quy định" in html
    assert "Hội đồng phải có đúng 01 Chủ tịch, hiện có 0" in html
    assert "chưa được xác nhận" in html
    assert "Thêm thành viên" in html and "Lưu phân công" in html
    assert response.context["tab"] == "council" and response.context["perms"].can_manage_now


@pytest.mark.parametrize("persona", ["member_a", "officer_commune_a"])
def test_readers_see_the_council_without_edit_controls_and_cannot_post(client, world, cycle, persona):
    group = svc.working_group_create(actor=None, cycle=cycle, name="Nhóm 1")
    (member,) = add_members(cycle, [CouncilRole.CHAIR])
    client.force_login(getattr(world, persona))
    response = client.get(council_url(cycle))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Thành viên 1" in html
    assert "Thêm thành viên" not in html and "Lưu phân công" not in html
    posts = [
        (council_url(cycle, "council_member_add"), {"full_name": "X", "role": "uy_vien"}),
        (council_url(cycle, "council_member_edit", member.pk), {"sua-full_name": "X", "sua-role": "uy_vien"}),
        (council_url(cycle, "council_member_delete", member.pk), {}),
        (council_url(cycle, "council_group_add"), {"name": "Nhóm 2"}),
        (council_url(cycle, "council_group_delete", group.pk), {"detach": "1"}),
        (council_url(cycle, "council_assignments"), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert CouncilMember.objects.get(cycle=cycle).full_name == "Thành viên 1"
    assert WorkingGroup.objects.filter(cycle=cycle).count() == 1


@pytest.mark.parametrize("persona", ["principal_b", "officer_other_province"])
def test_outsiders_get_404(client, world, cycle, persona):
    client.force_login(getattr(world, persona))
    assert client.get(council_url(cycle)).status_code == 404
    assert (
        client.post(council_url(cycle, "council_member_add"), {"full_name": "X", "role": "uy_vien"}).status_code == 404
    )
    assert not CouncilMember.objects.exists()


def test_add_member_redirects_with_a_message(client, world, cycle):
    client.force_login(world.principal_a)
    response = client.post(
        council_url(cycle, "council_member_add"),
        {"full_name": "Nguyễn Văn An", "job_title": "Hiệu trưởng", "role": "chu_tich", "user": world.principal_a.pk},
        follow=True,
    )
    assert response.redirect_chain == [(council_url(cycle), 302)]
    assert "Đã thêm Nguyễn Văn An vào hội đồng." in response.content.decode()
    assert CouncilMember.objects.get(cycle=cycle).user == world.principal_a


def test_add_member_with_htmx_returns_every_section_out_of_band(client, world, cycle57):
    add_members(cycle57, council_roles(others=2))
    client.force_login(world.principal_a)
    response = client.post(
        council_url(cycle57, "council_member_add"), {"full_name": "Phạm Thị Mai", "role": "uy_vien"}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    for section in ("council-problems", "council-members", "council-groups", "council-assignments"):
        assert f'id="{section}"' in html
    assert html.count('hx-swap-oob="true"') == 5  # problems, the council decision, members, groups, assignments
    assert "Đã thêm Phạm Thị Mai vào hội đồng." in html
    assert "hiện có 5" not in html  # 5 members: the check is satisfied, live
    assert "đáp ứng các quy định" in html


def test_bad_member_input_shows_a_message_and_changes_nothing(client, world, cycle):
    client.force_login(world.principal_a)
    response = client.post(council_url(cycle, "council_member_add"), {"full_name": "", "role": "uy_vien"})
    assert response.status_code == 200
    assert "Hãy nhập họ và tên." in response.content.decode()
    response = client.post(
        council_url(cycle, "council_member_add"),
        {"full_name": "Bùi Thị Bình", "role": "uy_vien", "user": world.principal_b.pk},
        **HTMX,
    )
    assert "Tài khoản được chọn không thuộc trường." in response.content.decode()
    assert not CouncilMember.objects.exists()


def test_edit_member_form_comes_as_a_fragment_and_saves(client, world, cycle):
    (member,) = add_members(cycle, [CouncilRole.MEMBER])
    client.force_login(world.principal_a)
    url = council_url(cycle, "council_member_edit", member.pk)
    fragment = client.get(url, **HTMX).content.decode()
    assert fragment.lstrip().startswith('<section id="council-members"')
    assert 'name="sua-full_name"' in fragment and 'value="Thành viên 1"' in fragment
    assert client.get(url).status_code == 200  # the same form on the whole page without JS
    response = client.post(
        url, {"sua-full_name": "Trần Thị Thu", "sua-role": "thu_ky", "sua-user": world.secretary_a.pk}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.full_name, member.role, member.user) == ("Trần Thị Thu", "thu_ky", world.secretary_a)


def test_group_removal_in_use_is_refused_with_a_message(client, world, cycle):
    group = svc.working_group_create(actor=None, cycle=cycle, name="Nhóm 1")
    svc.criterion_assignments_save(actor=None, cycle=cycle, criteria={criterion(cycle, "1.1").pk: (group.pk, None)})
    client.force_login(world.principal_a)
    response = client.post(council_url(cycle, "council_group_delete", group.pk), follow=True)
    assert "Nhóm “Nhóm 1” còn 0 thành viên và 1 tiêu chí được phân công" in response.content.decode()
    assert CriterionAssignment.objects.filter(group=group).exists()
    response = client.post(council_url(cycle, "council_group_delete", group.pk), {"detach": "1"}, follow=True)
    assert "Cần phân công lại: tiêu chí 1.1." in response.content.decode()
    assert not WorkingGroup.objects.exists()


def test_assignment_table_saves_in_one_post(client, world, cycle):
    group = svc.working_group_create(actor=None, cycle=cycle, name="Nhóm 1")
    (member,) = add_members(cycle, [CouncilRole.MEMBER])
    rows = selectors.assignment_rows(cycle)
    data = {f"g-{r.key}": group.pk for r in rows}
    data[f"m-{rows[0].key}"] = member.pk
    data[f"g-{rows[1].key}"] = ""
    client.force_login(world.principal_a)
    response = client.post(council_url(cycle, "council_assignments"), data, **HTMX)
    assert response.status_code == 200
    assert CriterionAssignment.objects.filter(cycle=cycle).count() == len(rows) - 1
    assert CriterionAssignment.objects.get(criterion_id=rows[0].target_id).member == member
    assert "Còn 1 tiêu chí chưa phân công" in response.content.decode()

    response = client.post(council_url(cycle, "council_assignments"), {f"g-{rows[1].key}": "999999"}, follow=True)
    assert "không còn trong hội đồng" in response.content.decode()
    assert not CriterionAssignment.objects.filter(criterion_id=rows[1].target_id).exists()


def test_copy_screen_copies_an_earlier_council(client, world, cycle, cycle57):
    add_members(cycle, council_roles(others=3))
    client.force_login(world.principal_a)
    page = client.get(council_url(cycle57)).content.decode()
    assert "Sao chép hội đồng" in page
    response = client.post(council_url(cycle57, "council_copy"), {"source": cycle.pk}, follow=True)
    assert "Đã sao chép hội đồng năm học 2025-2026: 0 nhóm, 5 thành viên" in response.content.decode()
    assert CouncilMember.objects.filter(cycle=cycle57).count() == 5


def test_submitted_cycle_is_read_only_on_screen(client, world, cycle):
    cycle_set_status(actor=None, cycle=cycle, status=CycleStatus.SUBMITTED)
    client.force_login(world.principal_a)
    assert "Thêm thành viên" not in client.get(council_url(cycle)).content.decode()
    assert client.post(council_url(cycle, "council_group_add"), {"name": "Nhóm 1"}).status_code == 403


def _fill_council(cycle, size):
    groups = [svc.working_group_create(actor=None, cycle=cycle, name=f"Nhóm {i}") for i in range(size)]
    members = [
        svc.council_member_create(actor=None, cycle=cycle, full_name=f"Người {i}", role="uy_vien", group=groups[i])
        for i in range(size)
    ]
    rows = selectors.assignment_rows(cycle)
    svc.criterion_assignments_save(
        actor=None,
        cycle=cycle,
        criteria={r.target_id: (groups[i % size].pk, members[i % size].pk) for i, r in enumerate(rows[: size * 3])},
    )


def test_council_page_queries_do_not_grow_with_the_council(client, world, cycle, django_assert_max_num_queries):
    client.force_login(world.principal_a)
    url = council_url(cycle)
    client.get(url)  # warm the session
    counts = []
    for size in (1, 8):
        CouncilMember.objects.filter(cycle=cycle).delete()
        WorkingGroup.objects.filter(cycle=cycle).delete()
        _fill_council(cycle, size)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(16):
        client.get(url)


def test_group_removal_can_move_members_and_assignments_to_another_group(client, world, cycle):
    g1 = svc.working_group_create(actor=None, cycle=cycle, name="Nhóm 1")
    g2 = svc.working_group_create(actor=None, cycle=cycle, name="Nhóm 2")
    svc.council_member_create(actor=None, cycle=cycle, full_name="Lê Văn Minh", role="uy_vien", group=g1)
    svc.criterion_assignments_save(actor=None, cycle=cycle, criteria={criterion(cycle, "1.1").pk: (g1.pk, None)})
    client.force_login(world.principal_a)
    response = client.post(council_url(cycle, "council_group_delete", g1.pk), {"move_to": g2.pk}, **HTMX)
    assert "Thành viên và tiêu chí của nhóm đã chuyển sang “Nhóm 2”." in response.content.decode()
    assert CouncilMember.objects.get().group == g2
    assert CriterionAssignment.objects.get().group == g2
    assert list(WorkingGroup.objects.values_list("name", flat=True)) == ["Nhóm 2"]
