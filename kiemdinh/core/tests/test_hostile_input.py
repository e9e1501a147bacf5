"""Hostile input through the real screens: numbers and dates beyond what the records can hold, text in the wrong
normalisation, with bidirectional overrides or made of invisible characters. Each is refused with a Vietnamese message
(nothing changes) or stored cleaned; never a server error."""

import unicodedata

import pytest
from django.urls import reverse

from kiemdinh.core.schoolyear import normalize_school_year
from kiemdinh.core.text import fold, highlight
from kiemdinh.emulation.models import EmulationScheme
from kiemdinh.recognition.models import Decision
from kiemdinh.selfassessment.models import CouncilMember, CouncilRole, Cycle
from kiemdinh.workflow.services import cycle_open

pytestmark = pytest.mark.django_db


# --- Numbers and dates -----------------------------------------------------------------------------------------------


def test_a_decision_dated_9999_is_refused_with_a_message(client, world):
    client.force_login(world.officer_province)
    url = reverse("recognition:school", args=[world.school_a.pk])
    data = {"kind": "accreditation", "level": "2", "recognition_round": "first", "number": "12/QĐ-SGDĐT"}
    for day in ("9999-12-31", "31/12/9999", "2024-01-04"):
        response = client.post(url, {**data, "decided_on": day})
        if day.startswith("2024"):
            assert response.status_code == 302
        else:
            assert response.status_code == 200
            assert "Ngày ký: hãy nhập một ngày từ năm 1945 đến năm" in response.content.decode()
    assert Decision.objects.filter(school=world.school_a).count() == 1


def test_the_decision_service_refuses_a_date_its_validity_cannot_follow(world):
    from datetime import date

    from django.core.exceptions import ValidationError

    from kiemdinh.recognition.services import DecisionInput, decision_record

    with pytest.raises(ValidationError) as refused:
        decision_record(
            actor=world.officer_province,
            school=world.school_a,
            data=DecisionInput(kind="accreditation", level=2, decided_on=date(9999, 12, 31)),
        )
    assert "Ngày ký" in refused.value.message_dict["decided_on"][0]


def test_a_maximum_score_of_1e30_is_refused_with_a_message(client, world):
    client.force_login(world.officer_district)
    url = reverse("emulation:scheme_create", args=[world.district.pk])
    for value in ("1e30", "1E+30", "-1e30", "9999999999", "1e99999"):
        response = client.post(
            url, {"school_year": "2019-2020", "title": "Thi đua", "max_score": value, "signer_title": "TRƯỞNG PHÒNG"}
        )
        assert response.status_code == 200, value
        body = response.content.decode()
        assert "Thang điểm phải nhỏ hơn 1000." in body or "Thang điểm không được âm." in body, value
    assert not EmulationScheme.objects.exists()


def test_a_huge_integer_in_a_form_is_a_form_error(client, world):
    client.force_login(world.officer_district)
    response = client.post(
        reverse("planning:plan_create", args=[world.district.pk]),
        {"kind": "year", "period": "2024", "title": "Kế hoạch", "report_every_months": str(2**64)},
    )
    assert response.status_code == 200
    assert "Kỳ báo cáo từ 1 đến 12 tháng." in response.content.decode()


# --- Text ------------------------------------------------------------------------------------------------------------


def test_school_years_typed_full_width_are_the_same_school_year(world, frameworks_loaded):
    assert normalize_school_year("２０２２-２０２３") == "2022-2023"
    assert normalize_school_year("２０２２－２０２３") == "2022-2023"
    assert normalize_school_year("٢٠٢٢ − ٢٠٢٣") == "2022-2023"
    assert normalize_school_year("2022\u200b-2023") == "2022-2023"
    cycle_open(actor=world.principal_a, school=world.school_a, school_year="2022-2023")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        cycle_open(actor=world.principal_a, school=world.school_a, school_year="２０２２-２０２３")
    assert refused.value.message_dict["school_year"] == [
        "Trường Tiểu học An Bình đã có đợt tự đánh giá năm học 2022-2023."
    ]
    assert list(Cycle.objects.filter(school=world.school_a).values_list("school_year", flat=True)) == ["2022-2023"]


def test_opening_a_cycle_with_a_full_width_year_on_the_page_is_refused_as_a_duplicate(client, world, frameworks_loaded):
    cycle_open(actor=world.principal_a, school=world.school_a, school_year="2022-2023")
    client.force_login(world.principal_a)
    response = client.post(
        reverse("workflow:cycle_open"), {"school": world.school_a.pk, "school_year": "２０２２-２０２３"}
    )
    assert response.status_code == 400
    assert "đã có đợt tự đánh giá năm học 2022-2023" in response.content.decode()
    assert Cycle.objects.filter(school=world.school_a).count() == 1


def _council_member_add(client, world, full_name: str):
    cycle = Cycle.objects.filter(school=world.school_a).first() or cycle_open(
        actor=world.principal_a, school=world.school_a, school_year="2024-2025"
    )
    client.force_login(world.principal_a)
    url = reverse("selfassessment:council_member_add", args=[cycle.pk])
    return client.post(url, {"full_name": full_name, "role": CouncilRole.MEMBER})


def test_a_name_made_only_of_invisible_characters_is_refused(client, world, frameworks_loaded):
    response = _council_member_add(client, world, "\u200b\u200c\u2060\ufeff\u3164")
    assert response.status_code == 200
    assert "Hãy nhập họ và tên." in response.content.decode()
    assert not CouncilMember.objects.exists()


def test_names_are_stored_nfc_without_bidirectional_overrides(client, world, frameworks_loaded):
    typed = "\u202e" + unicodedata.normalize("NFD", "Nguyễn Thị\u200b Hoà") + "\u202c"
    response = _council_member_add(client, world, typed)
    assert response.status_code == 302
    member = CouncilMember.objects.get()
    assert member.full_name == unicodedata.normalize("NFC", "Nguyễn Thị Hoà")


def test_search_ignores_zero_width_characters(client, world):
    assert fold("Thanh\u200b Chấn") == fold("Thanh Chấn") == "thanh chan"
    assert fold("An\u2060 Bình\ufeff") == "an binh"
    assert str(highlight("Trường An Bình", "An\u200bBình")) == "Trường An Bình"  # not a match: no space in the query
    assert str(highlight("Trường An Bình", "An \u200bBình")) == "Trường <mark>An Bình</mark>"
    client.force_login(world.officer_district)
    body = client.get(reverse("units:detail", args=[world.district.pk]), {"q": "An\u200b Bình"}).content.decode()
    assert "Trường Tiểu học An Bình" in body
    found = client.get("/api/v1/schools", {"q": "an\u200b binh"}).json()
    assert [s["code"] for s in found] == ["SA"]


# --- Digits that are not ASCII digits ---------------------------------------------------------------------------------
# str.isdigit() is true for "²" and "٣", which int() refuses (or reads as another number); 5,000 digits are beyond
# what int() reads at all. Such ids are refused as unknown, never a server error.

ODD_IDS = ["²", "٣", "9" * 5000, str(2**64)]


def test_the_rating_contract_refuses_odd_level_keys(client):
    for key in ODD_IDS:
        response = client.post(
            "/api/v1/evaluate",
            data={"framework": "tt17-2018", "indicators": {"1.1": {key: True}}},
            content_type="application/json",
        )
        assert response.status_code in (400, 422), key


def test_the_what_if_board_ignores_odd_indicator_ids(client, world, frameworks_loaded):
    cycle = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2024-2025")
    client.force_login(world.principal_a)
    response = client.post(reverse("selfassessment:gaps", args=[cycle.pk]), {"dat": ODD_IDS})
    assert response.status_code == 200


def test_an_odd_criterion_id_in_a_coverage_note_is_not_found(client, world, frameworks_loaded):
    from kiemdinh.improvement import services as improvement

    cycle = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2024-2025")
    improvement.plan_create(actor=world.principal_a, cycle=cycle)
    client.force_login(world.principal_a)
    for pk in ODD_IDS:
        response = client.post(
            reverse("improvement:coverage_note", args=[cycle.pk]), {"subject": f"c:{pk}", "reason": "Đã khắc phục"}
        )
        assert response.status_code == 404, pk


def test_a_visit_form_given_an_odd_school_id_opens(client, world):
    client.force_login(world.officer_commune_a)
    for pk in ODD_IDS:
        url = reverse("oversight:visit_create", args=[world.commune_a.pk])
        assert client.get(url, {"truong": pk}).status_code == 200, pk
