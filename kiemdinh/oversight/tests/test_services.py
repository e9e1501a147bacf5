"""Writes of visits, officers in charge and trainings: what they check (in Vietnamese), that a refusal saves nothing,
and the audit event each change records."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kiemdinh.core.models import AuditEvent
from kiemdinh.oversight.models import (
    OfficerInCharge,
    SchoolLevel,
    Training,
    TrainingParticipant,
    Visit,
    VisitAction,
    VisitKind,
)
from kiemdinh.oversight.services import participants as participant_services
from kiemdinh.oversight.services.officers import officer_add, officer_delete, officer_update
from kiemdinh.oversight.services.participants import participant_delete, participant_set_attended, participants_add
from kiemdinh.oversight.services.trainings import training_create, training_delete, training_update
from kiemdinh.oversight.services.visits import (
    action_add,
    action_complete,
    action_delete,
    visit_create,
    visit_delete,
    visit_update,
)
from kiemdinh.oversight.tests.helpers import annual_plan
from kiemdinh.units.services import school_create


def visit_values(world, **over) -> dict:
    values = {
        "actor": world.officer_district,
        "unit": world.district,
        "school": world.school_a,
        "kind": VisitKind.CONSULTATION,
        "visited_on": date(2025, 5, 6),
    }
    return {**values, **over}


# --- visits -----------------------------------------------------------------------------------------------------------


def test_visit_create_keeps_members_one_a_line_and_records_event(world):
    visit = visit_create(**visit_values(world, members="  Hoàng Văn Dũng – Trưởng đoàn \n\n Lê Thị Mai – Thư ký "))
    assert visit.members == "Hoàng Văn Dũng – Trưởng đoàn\nLê Thị Mai – Thư ký"
    assert visit.member_lines == ["Hoàng Văn Dũng – Trưởng đoàn", "Lê Thị Mai – Thư ký"]
    assert visit.created_by == world.officer_district
    event = AuditEvent.objects.get(event_type="oversight.visit_created")
    assert (event.actor, event.unit, event.school) == (world.officer_district, world.district, world.school_a)


def test_visit_of_school_outside_unit_is_refused_and_nothing_saved(world):
    with pytest.raises(ValidationError) as e:
        visit_create(**visit_values(world, unit=world.commune_a, school=world.school_b, actor=world.officer_commune_a))
    assert "không thuộc Xã An Bình" in e.value.message_dict["school"][0]
    assert not Visit.objects.exists()
    assert not AuditEvent.objects.filter(event_type__startswith="oversight.").exists()


def test_visit_needs_kind_and_date(world):
    with pytest.raises(ValidationError) as e:
        visit_create(**visit_values(world, kind="khac", visited_on=None))
    assert set(e.value.message_dict) == {"kind", "visited_on"}
    assert "Hãy ghi ngày làm việc" in e.value.message_dict["visited_on"][0]
    assert not Visit.objects.exists()


def test_visit_plan_must_be_of_the_unit_or_above_the_school(world):
    own = annual_plan(world.district)
    above = annual_plan(world.province)
    commune_a = annual_plan(world.commune_a)
    elsewhere = annual_plan(world.commune_b)
    for plan in (own, above, commune_a):
        assert visit_create(**visit_values(world, plan=plan)).plan == plan
    with pytest.raises(ValidationError) as e:
        visit_create(**visit_values(world, plan=elsewhere))
    assert "không áp dụng cho Trường Tiểu học An Bình" in e.value.message_dict["plan"][0]
    assert Visit.objects.count() == 3


def test_visit_update_changes_school_within_unit_only(world, visit):
    visit_update(
        actor=world.officer_district,
        visit=visit,
        school=world.school_b,
        kind=VisitKind.INSPECTION,
        visited_on=date(2025, 3, 12),
        findings="Đã xem lại.",
    )
    visit.refresh_from_db()
    assert (visit.school, visit.kind, visit.findings) == (world.school_b, VisitKind.INSPECTION, "Đã xem lại.")
    with pytest.raises(ValidationError):
        visit_update(
            actor=world.officer_district,
            visit=visit,
            school=world.school_other,
            kind=VisitKind.INSPECTION,
            visited_on=date(2025, 3, 12),
        )
    visit.refresh_from_db()
    assert visit.school == world.school_b


def test_visit_delete_removes_actions(world, visit):
    visit_delete(actor=world.officer_district, visit=visit)
    assert not Visit.objects.exists() and not VisitAction.objects.exists()
    assert AuditEvent.objects.filter(event_type="oversight.visit_deleted", data__actions=2).exists()


# --- follow-up actions ----------------------------------------------------------------------------------------------------


def test_action_add_checks_content_and_due_date(world, visit):
    with pytest.raises(ValidationError) as e:
        action_add(actor=world.officer_district, visit=visit, content="  ", due_on=date(2025, 1, 1))
    assert e.value.message_dict["content"] == ["Hãy ghi nội dung việc cần thực hiện."]
    assert "không được trước ngày làm việc của đoàn (10/03/2025)" in e.value.message_dict["due_on"][0]
    assert visit.actions.count() == 2
    third = action_add(actor=world.officer_district, visit=visit, content="Họp hội đồng")
    assert third.position == 3


def test_action_complete_by_school_with_note(world, visit):
    action = visit.actions.first()
    action_complete(actor=world.secretary_a, action=action, done_on=date(2025, 4, 2), note="Đã bổ sung 3 minh chứng.")
    action.refresh_from_db()
    assert action.is_done and action.done_on == date(2025, 4, 2) and action.done_by == world.secretary_a
    assert action.done_note == "Đã bổ sung 3 minh chứng."
    event = AuditEvent.objects.get(event_type="oversight.action_completed")
    assert event.school == world.school_a and event.actor == world.secretary_a
    with pytest.raises(ValidationError) as e:
        action_complete(actor=world.principal_a, action=action)
    assert e.value.messages == ["Việc này đã được ghi là hoàn thành."]


def test_action_complete_dates_checked_and_default_today(world, visit):
    action = visit.actions.first()
    with pytest.raises(ValidationError) as e:
        action_complete(actor=world.principal_a, action=action, done_on=timezone.localdate() + timedelta(days=1))
    assert "không được sau hôm nay" in e.value.message_dict["done_on"][0]
    with pytest.raises(ValidationError):
        action_complete(actor=world.principal_a, action=action, done_on=date(2025, 3, 1))
    action.refresh_from_db()
    assert not action.is_done
    action_complete(actor=world.principal_a, action=action)
    action.refresh_from_db()
    assert action.done_on == timezone.localdate()


def test_action_delete(world, visit):
    action_delete(actor=world.officer_district, action=visit.actions.first())
    assert visit.actions.count() == 1


# --- officers in charge -----------------------------------------------------------------------------------------------


def test_officer_add_update_delete(world):
    officer = officer_add(
        actor=world.officer_district,
        unit=world.district,
        school_level=SchoolLevel.KINDERGARTEN,
        full_name="Bà Lý Mỹ Liên",
        title="Chuyên viên",
        email="cvgdmn2.hocmon@moet.edu.vn",
        user=world.officer_district,
    )
    second = officer_add(
        actor=world.officer_district, unit=world.district, school_level=SchoolLevel.GENERAL, full_name="Ông Trần Văn B"
    )
    assert (officer.position, second.position) == (1, 2)
    officer_update(
        actor=world.officer_district,
        officer=officer,
        school_level=SchoolLevel.PRIMARY,
        full_name="Bà Lý Mỹ Liên",
        phone="028 3891 0000",
    )
    officer.refresh_from_db()
    assert (officer.school_level, officer.phone, officer.email, officer.user) == (
        SchoolLevel.PRIMARY,
        "028 3891 0000",
        "",
        None,
    )
    officer_delete(actor=world.officer_district, officer=second)
    assert list(OfficerInCharge.objects.all()) == [officer]
    assert AuditEvent.objects.filter(event_type__startswith="oversight.officer_").count() == 4


def test_officer_checks_name_level_email_and_account(world):
    with pytest.raises(ValidationError) as e:
        officer_add(
            actor=world.officer_district,
            unit=world.district,
            school_level="dai_hoc",
            full_name=" ",
            email="khong-phai-thu",
            user=world.principal_a,
        )
    errors = e.value.message_dict
    assert errors["full_name"] == ["Hãy ghi họ và tên cán bộ phụ trách."]
    assert errors["school_level"] == ["Hãy chọn cấp học phụ trách."]
    assert errors["email"] == ["Địa chỉ thư điện tử “khong-phai-thu” không hợp lệ."]
    assert "không phải cán bộ của Huyện Đông Sơn" in errors["user"][0]
    # An officer of a unit below is not an officer of the district either.
    with pytest.raises(ValidationError):
        officer_add(
            actor=world.officer_district,
            unit=world.district,
            school_level=SchoolLevel.PRIMARY,
            full_name="Phạm Thị Hoa",
            user=world.officer_commune_a,
        )
    assert not OfficerInCharge.objects.exists()


# --- trainings --------------------------------------------------------------------------------------------------------


def test_training_create_checks_title_and_dates(world):
    with pytest.raises(ValidationError) as e:
        training_create(
            actor=world.officer_district,
            unit=world.district,
            title="",
            starts_on=date(2025, 2, 20),
            ends_on=date(2025, 2, 19),
        )
    assert e.value.message_dict == {
        "title": ["Hãy ghi nội dung tập huấn."],
        "ends_on": ["Ngày kết thúc không được trước ngày bắt đầu."],
    }
    assert not Training.objects.exists()
    training = training_create(
        actor=world.officer_district,
        unit=world.district,
        title="Tập huấn",
        starts_on=date(2025, 2, 20),
        ends_on=date(2025, 2, 21),
    )
    assert training.dates_label == "20/02/2025 – 21/02/2025"


def test_training_update_and_delete(world, training):
    training_update(
        actor=world.officer_district, training=training, title="Tập huấn viết báo cáo", starts_on=date(2025, 3, 1)
    )
    training.refresh_from_db()
    assert training.title == "Tập huấn viết báo cáo" and training.organiser == ""
    participants_add(actor=world.officer_district, training=training, text="Nguyễn Văn An – Hiệu trưởng – SA")
    training_delete(actor=world.officer_district, training=training)
    assert not Training.objects.exists() and not TrainingParticipant.objects.exists()


def test_participants_bulk_add_matches_schools_within_unit(world, training):
    text = (
        "Nguyễn Văn An – Hiệu trưởng – Trường Tiểu học An Bình\n"
        "\n"
        "Bùi Thị Bình — Hiệu trưởng — SB\n"
        "Trần Thị Thu - Thư ký hội đồng - an binh\n"
        "Lê Văn Minh\tGiáo viên\tTrường Mầm non Bình Minh\n"
        "Đỗ Thị Hà-Linh – Chuyên viên\n"
    )
    added = participants_add(actor=world.officer_district, training=training, text=text)
    rows = [(p.full_name, p.job_title, p.school) for p in added]
    assert rows == [
        ("Nguyễn Văn An", "Hiệu trưởng", world.school_a),
        ("Bùi Thị Bình", "Hiệu trưởng", world.school_b),
        ("Trần Thị Thu", "Thư ký hội đồng", world.school_a),
        ("Lê Văn Minh", "Giáo viên", world.school_b),
        ("Đỗ Thị Hà-Linh", "Chuyên viên", None),
    ]
    assert [p.position for p in added] == [1, 2, 3, 4, 5]
    assert all(p.attended for p in added)
    assert AuditEvent.objects.get(event_type="oversight.participants_added").data["count"] == 5


def test_participants_unknown_school_names_the_line_and_saves_nothing(world, training):
    text = "Nguyễn Văn An – Hiệu trưởng – SA\nVũ Thị Lan – Hiệu trưởng – Trường Không Có\nĐặng Văn Tâm – GV – SQ"
    with pytest.raises(ValidationError) as e:
        participants_add(actor=world.officer_district, training=training, text=text)
    messages = e.value.message_dict["text"]
    assert messages[0].startswith("Dòng 2 (“Vũ Thị Lan – Hiệu trưởng – Trường Không Có”): Không tìm thấy trường")
    assert messages[1] == "Dòng 3 (“Đặng Văn Tâm – GV – SQ”): Trường THCS Hòa Hải không thuộc Huyện Đông Sơn."
    assert not TrainingParticipant.objects.exists()
    assert not AuditEvent.objects.filter(event_type="oversight.participants_added").exists()


def test_participants_name_ambiguous_nationwide_but_unique_in_unit(world, training):
    school_create(
        actor=None, code="SQ2", name="Trường Tiểu học An Bình", school_type="TH", unit=world.school_other.unit
    )
    [p] = participants_add(actor=world.officer_district, training=training, text="A – B – Trường Tiểu học An Bình")
    assert p.school == world.school_a


def test_participants_refuse_duplicates_and_malformed_lines(world, training):
    participants_add(actor=world.officer_district, training=training, text="Nguyễn Văn An – Hiệu trưởng – SA")
    with pytest.raises(ValidationError) as e:
        participants_add(
            actor=world.officer_district,
            training=training,
            text="nguyen van an – Hiệu trưởng – SA\nA – B – C – D\n – Giáo viên",
        )
    messages = e.value.message_dict["text"]
    assert any("có hơn ba phần" in m and m.startswith("Dòng 2") for m in messages)
    assert any(m.startswith("Dòng 3") and "thiếu họ tên" in m for m in messages)
    assert any(m.startswith("Dòng 1:") and "đã có trong danh sách" in m for m in messages)
    assert training.participants.count() == 1
    with pytest.raises(ValidationError):
        participants_add(actor=world.officer_district, training=training, text=" \n ")


def test_participant_attendance_and_delete(world, training):
    [p] = participants_add(actor=world.officer_district, training=training, text="Nguyễn Văn An – HT – SA")
    participant_set_attended(actor=world.officer_district, participant=p, attended=False)
    p.refresh_from_db()
    assert not p.attended
    participant_delete(actor=world.officer_district, participant=p)
    assert not training.participants.exists()


# --- a pasted training list is a tabular import too: capped, and read outside any transaction (issue #18 §4) ---------


def test_a_pasted_list_over_the_row_cap_is_refused_before_any_line_is_read(world, training, settings, monkeypatch):
    settings.KIEMDINH_IMPORT_MAX_ROWS = 3
    looked_up = []
    monkeypatch.setattr(participant_services, "_school_in_unit", lambda unit, text: looked_up.append(text))
    text = "\n".join(f"Người {i} – Giáo viên – SA" for i in range(4))
    with pytest.raises(ValidationError) as e:
        participants_add(actor=world.officer_district, training=training, text=text)
    assert e.value.message_dict["text"] == [
        "Danh sách có hơn 3 dòng. Mỗi lần chỉ thêm được tối đa 3 người; hãy chia thành nhiều lần."
    ]
    assert looked_up == []  # no school was looked up for any line
    assert not training.participants.exists()


def test_a_pasted_line_over_the_cell_cap_is_refused_naming_it_and_quoted_short(world, training):
    text = "Nguyễn Văn An – Hiệu trưởng – SA\n" + "Trần Thị Bình – " + "Giáo viên " * 600
    with pytest.raises(ValidationError) as e:
        participants_add(actor=world.officer_district, training=training, text=text)
    [message] = e.value.message_dict["text"]
    assert message.startswith("Dòng 2 (“Trần Thị Bình – Giáo viên Giáo viên")
    assert message.endswith("”): dài 6.015 ký tự, vượt quá giới hạn 5.000 ký tự mỗi dòng.")
    assert len(message) < 200
    assert not training.participants.exists()


@pytest.mark.django_db(transaction=True)
def test_a_pasted_list_is_read_and_its_schools_looked_up_outside_any_transaction(world, training, monkeypatch):
    from django.db import connection

    seen = []
    real = participant_services._school_in_unit

    def watching(unit, text):
        seen.append(connection.in_atomic_block)
        return real(unit, text)

    monkeypatch.setattr(participant_services, "_school_in_unit", watching)
    added = participants_add(actor=world.officer_district, training=training, text="Nguyễn Văn An – HT – SA")
    assert [p.school for p in added] == [world.school_a]
    assert seen == [False]  # nobody's write waits while a long list is matched against the schools
