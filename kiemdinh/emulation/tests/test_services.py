"""Writes of schemes, rules and adjustments: validation in Vietnamese, nothing saved on refusal, history and audit."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kiemdinh.core.models import AuditEvent
from kiemdinh.emulation import services as svc
from kiemdinh.emulation.models import EmulationRule, SchemeStatus, ScoreAdjustment


@pytest.fixture
def scheme(world):
    return svc.scheme_create(
        actor=world.officer_district, unit=world.district, school_year="2019 - 2020", title="Thi đua KĐCLGD"
    )


def test_a_scheme_normalises_its_year_and_checks_its_fields(world, scheme):
    assert scheme.school_year == "2019-2020" and scheme.year_end == date(2020, 7, 31)
    assert AuditEvent.objects.filter(event_type="emulation.scheme_created", unit=world.district).count() == 1
    with pytest.raises(ValidationError) as error:
        svc.scheme_create(actor=world.officer_district, unit=world.district, school_year="2019", title=" ")
    assert set(error.value.message_dict) == {"school_year", "title"}
    assert "Hãy ghi tên bảng điểm thi đua." in error.value.message_dict["title"]


def test_rules_keep_only_the_parameters_of_their_kind(world, scheme):
    on_time = svc.rule_create(
        actor=world.officer_district,
        scheme=scheme,
        kind="sa_submitted_on_time",
        label="Nộp báo cáo tự đánh giá đúng hạn",
        points="2",
        parameters={"deadline": date(2020, 1, 31), "late_points": "0,5", "mode": "per_level"},
    )
    assert on_time.parameters == {"deadline": "2020-01-31", "late_points": "0.5"}
    assert on_time.position == 1
    accepted = svc.rule_create(
        actor=world.officer_district, scheme=scheme, kind="sa_accepted", label="Được chấp nhận", points="1,5"
    )
    assert (accepted.position, accepted.points, accepted.parameters) == (2, Decimal("1.5"), {})
    with pytest.raises(ValidationError) as error:
        svc.rule_create(
            actor=world.officer_district,
            scheme=scheme,
            kind="sa_submitted_on_time",
            label="",
            points="-1",
            parameters={},
        )
    assert set(error.value.message_dict) == {"label", "points", "deadline"}
    with pytest.raises(ValidationError, match="Mức tối thiểu phải từ 1 đến 4"):
        svc.rule_create(
            actor=world.officer_district,
            scheme=scheme,
            kind="level_reached",
            label="Mức",
            points="2",
            parameters={"mode": "minimum", "min_level": 5},
        )
    with pytest.raises(ValidationError, match="không được lớn hơn"):
        svc.rule_update(
            actor=world.officer_district,
            rule=on_time,
            label="Nộp đúng hạn",
            points="2",
            parameters={"deadline": "2020-01-31", "late_points": "3"},
        )
    assert EmulationRule.objects.filter(scheme=scheme).count() == 2
    svc.rule_update(
        actor=world.officer_district,
        rule=accepted,
        label="Báo cáo được chấp nhận",
        points="2",
        parameters={},
        position=1,
    )
    accepted.refresh_from_db()
    assert (accepted.label, accepted.points, accepted.position) == ("Báo cáo được chấp nhận", Decimal("2.0"), 1)
    svc.rule_delete(actor=world.officer_district, rule=on_time)
    assert list(scheme.rules.values_list("kind", flat=True)) == ["sa_accepted"]


def test_an_adjustment_needs_a_reason_and_keeps_its_history(world, scheme):
    with pytest.raises(ValidationError) as error:
        svc.score_adjust(actor=world.officer_district, scheme=scheme, school=world.school_a, points="2", reason="  ")
    assert error.value.message_dict == {"reason": ["Hãy ghi lý do điều chỉnh điểm."]}
    assert not ScoreAdjustment.objects.exists()
    assert not AuditEvent.objects.filter(event_type="emulation.score_adjusted").exists()

    svc.score_adjust(
        actor=world.officer_district, scheme=scheme, school=world.school_a, points="2", reason="Điển hình tiên tiến"
    )
    svc.score_adjust(
        actor=world.officer_commune_a, scheme=scheme, school=world.school_a, points="-1,5", reason="Nộp hồ sơ thiếu"
    )
    current = ScoreAdjustment.objects.get()  # one current adjustment per school
    assert (current.points, current.reason, current.by) == (Decimal("-1.5"), "Nộp hồ sơ thiếu", world.officer_commune_a)
    versions = list(current.history.order_by("history_date", "history_id").values_list("points", "reason", "by_id"))
    assert versions == [
        (Decimal("2.0"), "Điển hình tiên tiến", world.officer_district.pk),
        (Decimal("-1.5"), "Nộp hồ sơ thiếu", world.officer_commune_a.pk),
    ]
    events = AuditEvent.objects.filter(event_type="emulation.score_adjusted").order_by("id")
    assert [e.data["previous"] for e in events] == [None, "2.0"]


def test_an_adjustment_is_refused_for_a_school_outside_the_unit_or_with_a_bad_number(world, scheme):
    with pytest.raises(ValidationError) as error:
        svc.score_adjust(
            actor=world.officer_district, scheme=scheme, school=world.school_other, points="1,25", reason="Thử"
        )
    assert set(error.value.message_dict) == {"school", "points"}
    assert not ScoreAdjustment.objects.exists()


def test_a_closed_scheme_changes_no_more_until_reopened_with_a_reason(world, scheme):
    with pytest.raises(ValidationError, match="chưa có tiêu chí"):
        svc.scheme_close(actor=world.officer_district, scheme=scheme)
    rule = svc.rule_create(actor=world.officer_district, scheme=scheme, kind="sa_accepted", label="A", points="1")
    svc.scheme_close(actor=world.officer_district, scheme=scheme)
    scheme.refresh_from_db()
    assert scheme.status == SchemeStatus.CLOSED
    for attempt in (
        lambda: svc.rule_delete(actor=world.officer_district, rule=rule),
        lambda: svc.score_adjust(
            actor=world.officer_district, scheme=scheme, school=world.school_a, points="1", reason="Thêm"
        ),
        lambda: svc.rule_create(actor=world.officer_district, scheme=scheme, kind="sa_accepted", label="B", points="1"),
    ):
        with pytest.raises(ValidationError, match="đã chốt"):
            attempt()
    with pytest.raises(ValidationError, match="lý do"):
        svc.scheme_reopen(actor=world.officer_district, scheme=scheme, reason="")
    svc.scheme_reopen(actor=world.officer_district, scheme=scheme, reason="Bổ sung minh chứng")
    scheme.refresh_from_db()
    assert scheme.status == SchemeStatus.DRAFT
    assert AuditEvent.objects.get(event_type="emulation.scheme_reopened").data == {"reason": "Bổ sung minh chứng"}
