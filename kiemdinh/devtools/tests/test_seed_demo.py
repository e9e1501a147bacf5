"""seed_demo: the seed plans reproduced, idempotently, with working demo logins.

The demo is built once for the module (`demo`, rolled back at its end: seed_demo is build_demo and its summary); the
command on an empty database is tested in test_seed_demo_command.py."""

from datetime import date
from io import StringIO

from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from kiemdinh.accounts.models import Membership, Role, User
from kiemdinh.devtools.demo.people import DEMO_PASSWORD, PEOPLE
from kiemdinh.devtools.demo.reform import AFTER_REFORM, NEW_UNITS
from kiemdinh.planning.models import AnnualPlan, PlanTarget
from kiemdinh.recognition.models import RecognitionRound
from kiemdinh.selfassessment.models import Cycle, CycleStatus
from kiemdinh.selfassessment.selectors import cycle_evaluation
from kiemdinh.units.access import schools_visible
from kiemdinh.units.models import AdministrativeUnit, ChangeKind, Ownership, School, SchoolType, UnitChange, UnitKind
from kiemdinh.units.selectors import name_on, school_units_on, tree_on

HUONG_TRA_TITLE = (
    "Công tác kiểm định chất lượng giáo dục và xây dựng trường đạt chuẩn quốc gia trên địa bàn thị xã Hương Trà, "
    "năm 2024"
)


def project_models():
    return [m for c in apps.get_app_configs() if c.name.startswith("kiemdinh.") for m in c.get_models()]


def snapshot():
    return {m._meta.label: list(m.objects.order_by("pk").values()) for m in project_models()}


def plan_of(unit_code):
    return AnnualPlan.objects.get(unit__code=unit_code)


def test_the_world_has_the_seeds_units_schools_plans_and_people(demo):
    assert AdministrativeUnit.objects.count() == 12 + len(NEW_UNITS)
    assert School.objects.count() == 32
    assert AnnualPlan.objects.count() == 4
    assert PlanTarget.objects.count() == 20 + 2 + 1 + 8
    reformed = [c for c in AFTER_REFORM if c.username not in {p.username for p in PEOPLE}]
    assert User.objects.count() == len(PEOPLE) + len(reformed) == 28
    # every seed role, and after the reform one new role each for three officers (the district roles ended)
    assert Membership.objects.count() == len(PEOPLE) + 3
    assert Membership.objects.filter(is_active=False, unit__kind=UnitKind.DISTRICT).count() == 6
    # the 20 schools of the 2024 list were Hương Trà's in 2024; today three wards manage them
    huong_tra = AdministrativeUnit.objects.get(code="46-HT")
    assert School.objects.within(huong_tra).count() == 0
    in_2024 = next(u for u in tree_on(date(2024, 1, 4)) if u["code"] == "46-HT")
    assert len(in_2024["schools"]) == 20
    assert AdministrativeUnit.objects.get(code="20-CL-BL").name == "xã Bảo Lâm"
    assert huong_tra.education_office == "Phòng Giáo dục và Đào tạo thị xã Hương Trà"
    thanh_chan = School.objects.get(name="Trường Tiểu học Thanh Chấn")
    assert thanh_chan.unit.code == "DEMO-TC" and thanh_chan.unit.parent.code == "DEMO"
    assert School.objects.get(name="Trường Mầm non tư thục Thiên Đức").ownership == Ownership.TU_THUC
    assert School.objects.get(name="Trường Tiểu học và Trung học cơ sở xã Bảo Lâm").school_type == SchoolType.TH_THCS
    assert "/" not in School.objects.get(name="Trường Mầm non 2/9").code


def test_every_district_was_dissolved_on_1_july_2025(demo):
    districts = AdministrativeUnit.objects.filter(kind=UnitKind.DISTRICT)
    assert sorted(d.name for d in districts) == ["huyện Cao Lộc", "huyện Hóc Môn", "huyện Hữu Lũng", "thị xã Hương Trà"]
    assert {d.dissolved_on for d in districts} == {date(2025, 7, 1)}
    assert not AdministrativeUnit.objects.exclude(kind=UnitKind.DISTRICT).filter(dissolved_on__isnull=False).exists()
    # each with its deciding document, nothing left under it
    for district in districts:
        change = UnitChange.objects.get(unit=district, kind=ChangeKind.DISSOLVE)
        assert change.decision_body == "Ủy ban Thường vụ Quốc hội" and change.successor.kind == UnitKind.PROVINCE
        assert not district.children.exists() and not district.schools.exists()


def test_the_reform_is_in_the_demo_with_its_documents_and_what_is_illustrative(demo):
    hue = AdministrativeUnit.objects.get(code="46")
    assert (hue.name, hue.education_office) == ("Thành phố Huế", "Sở Giáo dục và Đào tạo thành phố Huế")
    renamed = UnitChange.objects.get(unit=hue, kind=ChangeKind.RENAME)
    assert (renamed.effective_on, renamed.decision_number, renamed.old_name) == (
        date(2025, 1, 1),
        "175/2024/QH15",
        "Thừa Thiên Huế",
    )
    assert name_on(hue, date(2024, 12, 31)) == "Thừa Thiên Huế" and name_on(hue, date(2025, 1, 1)) == "Thành phố Huế"
    wards = {u.code: u for u in AdministrativeUnit.objects.filter(code__in=[n.code for n in NEW_UNITS])}
    assert {u.name for u in wards.values()} == {"phường Hương Trà", "phường Kim Trà", "xã Bình Điền", "xã Hóc Môn"}
    assert all(u.established_on == date(2025, 7, 1) and u.parent.kind == UnitKind.PROVINCE for u in wards.values())
    # a school the sources place, and one placed for illustration, say which
    moved = UnitChange.objects.get(kind=ChangeKind.SCHOOL_MOVE, school__code="79-HM-TH-TANHIEP")
    assert (moved.new_parent.name, moved.decision_number) == ("xã Hóc Môn", "1685/NQ-UBTVQH15")
    assert "inh họa" not in moved.note
    placed = UnitChange.objects.get(kind=ChangeKind.SCHOOL_MOVE, school__code="46-HT-THCS-LETHUYET")
    assert placed.new_parent.name == "phường Hương Trà" and "Minh họa" in placed.note
    assert "minh họa" in UnitChange.objects.get(unit=wards["46-P-KIMTRA"], kind=ChangeKind.ESTABLISH).decision_number
    # the units command shows each date's tree
    assert [u["name"] for u in tree_on(date(2024, 6, 1)) if u["parent"] == "46"] == ["thị xã Hương Trà"]
    assert [u["name"] for u in tree_on(date(2026, 1, 1)) if u["parent"] == "46"] == [
        "phường Hương Trà",
        "phường Kim Trà",
        "xã Bình Điền",
    ]


def test_huong_tra_plan_reproduces_its_list_in_order(demo):
    plan = AnnualPlan.objects.get(unit__code="46-HT", number="20/KH-UBND")
    assert (plan.issuer, plan.issued_on, plan.place, plan.title, plan.period) == (
        "UBND thị xã Hương Trà",
        date(2024, 1, 4),
        "Hương Trà",
        HUONG_TRA_TITLE,
        "2024",
    )
    # the signature block as printed: "TM.ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH" (the first line was missing)
    assert (plan.signer_name, plan.signer_title) == ("Đỗ Ngọc An", "TM.ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH")
    targets = list(plan.targets.select_related("school").order_by("position"))
    assert [t.position for t in targets] == list(range(1, 21))
    assert targets[0].school.name == "Trường Mầm non Hương Xuân"
    assert targets[5].school.name == "Trường Tiểu học Số 1 Hương Toàn"
    assert targets[13].school.name == "Trường Trung học cơ sở Lê Thuyết"
    assert targets[19].school.name == "Trường Trung học cơ sở Nguyễn Khoa Đăng"
    labels = {t.school.name: t.target_label for t in targets}
    assert labels.pop("Trường Tiểu học Số 2 Tứ Hạ") == "CĐ3-MĐ2"
    assert set(labels.values()) == {"CĐ2-MĐ1"}
    first = [t.position for t in targets if t.recognition_round == RecognitionRound.FIRST]
    assert first == [1, 2, 3, 6, 14]  # the five "CN Lần đầu"
    assert all(t.recognition_round == RecognitionRound.AGAIN for t in targets if t.position not in first)
    assert [t.school.school_type for t in targets].count(SchoolType.MN) == 5
    # listed then under the town; since 1/7/2025 under the three wards that replaced it
    assert {t.school.unit.code for t in targets} == {"46-P-HUONGTRA", "46-P-KIMTRA", "46-X-BINHDIEN"}
    assert set(school_units_on([t.school for t in targets], plan.issued_on).values()) == {"thị xã Hương Trà"}


def test_cao_loc_tan_thanh_and_hoc_mon_plans(demo):
    cao_loc = plan_of("20-CL")
    assert (cao_loc.number, cao_loc.issued_on, cao_loc.signer_name) == ("", None, "Nguyễn Văn Thịnh")
    assert [
        (t.school.name, t.accreditation_grade, t.national_standard_level, t.recognition_round)
        for t in cao_loc.targets.order_by("position")
    ] == [
        ("Trường Tiểu học và Trung học cơ sở xã Bảo Lâm", None, 1, RecognitionRound.FIRST),
        ("Trường Mầm non xã Thụy Hùng", None, 1, RecognitionRound.FIRST),
    ]
    tan_thanh = plan_of("20-HL-TT")
    assert (tan_thanh.issuer, tan_thanh.issued_on, tan_thanh.signer_name) == (
        "UBND xã Tân Thành",
        date(2023, 2, 28),
        "Phan Quang Vinh",
    )
    (target,) = tan_thanh.targets.all()
    assert target.school.name == "Trường Mầm non 1 xã Tân Thành"
    assert (target.recognition_round, target.national_standard_level) == (RecognitionRound.AGAIN, None)
    assert "không ghi mức độ" in target.note
    hoc_mon = plan_of("79-HM")
    assert (hoc_mon.number, hoc_mon.period, hoc_mon.issuer) == ("", "2019-2020", "Phòng GD&ĐT huyện Hóc Môn")
    targets = list(hoc_mon.targets.select_related("school").order_by("position"))
    assert len(targets) == 8 and all(t.external_evaluation for t in targets)
    assert targets[0].school.name == "Trường Mầm non 2/9"
    assert targets[0].note == "Đánh giá ngoài và công nhận chuẩn Quốc gia"
    assert {t.note for t in targets[1:]} == {"Đánh giá ngoài"}


def test_thanh_chan_cycle_gives_the_seeds_results(demo):
    cycle = Cycle.objects.get(school__name="Trường Tiểu học Thanh Chấn", school_year="2021-2022")
    assert cycle.framework.code == "tt17-2018"
    assert cycle.status == CycleStatus.ACCEPTED
    result = cycle_evaluation(cycle)
    assert {k: (v.achieved, v.total) for k, v in result.levels.items()} == {
        1: (27, 27),
        2: (27, 27),
        3: (19, 19),
        4: (2, 5),
    }
    assert (result.school_level, result.accreditation_grade, result.national_standard_level) == (3, 3, 2)


def test_thanh_chan_cycle_is_complete_and_consistent(demo):
    from kiemdinh.evidence.selectors import citation_report, evidence_summary
    from kiemdinh.selfassessment.council.selectors import council_problems
    from kiemdinh.selfassessment.models import CriterionForm
    from kiemdinh.selfassessment.selectors import criteria_overview
    from kiemdinh.workflow.selectors import dossier_content, snapshot_hash

    cycle = Cycle.objects.get(school__code="DEMO-TC-TH", school_year="2021-2022")
    assert cycle.published_at is not None
    assert council_problems(cycle) == []
    assert cycle.council_members.count() == 11 and cycle.plan_activities.count() >= 10
    rows, items = criteria_overview(cycle)
    assert [r.criterion.code for r in rows if r.missing] == []
    assert [i["item"].code for i in items if i["missing"]] == []
    assert CriterionForm.objects.filter(cycle=cycle).count() == 27 + 5
    summary = evidence_summary(cycle)
    assert summary["total"] >= 70 and summary["uncited"] == 0 and summary["criteria_without"] == []
    assert citation_report(cycle).unknown == []
    accepted = cycle.snapshots.get(accepted=True)
    assert accepted.content_hash == snapshot_hash(dossier_content(cycle))
    # the improvement texts carry the seed plan's actions
    weak = {
        f.criterion.code
        for f in CriterionForm.objects.filter(cycle=cycle, criterion__isnull=False)
        if "Không có điểm yếu đáng kể" not in f.weaknesses
    }
    assert {"1.6", "1.10", "2.2", "2.3", "2.4", "3.2", "3.5", "4.2", "5.5"} <= weak


def test_second_run_creates_and_changes_nothing(demo):
    before = snapshot()
    counts = {label: len(rows) for label, rows in before.items()}
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "không tạo thêm gì" in out.getvalue()
    after = snapshot()
    assert {label: len(rows) for label, rows in after.items()} == counts
    assert after == before
    for person in PEOPLE:
        assert User.objects.get(username=person.username).check_password(DEMO_PASSWORD)


def test_demo_principals_see_only_their_own_school(demo):
    principal = User.objects.get(username="hieutruong.thanhchan")
    assert [s.name for s in schools_visible(principal)] == ["Trường Tiểu học Thanh Chấn"]
    principal = User.objects.get(username="hieutruong.mnhuongxuan")
    assert [s.name for s in schools_visible(principal)] == ["Trường Mầm non Hương Xuân"]
    # the former Phòng GD&ĐT officer now works for the ward of Hương Trà: its seven schools, not the old town's 20
    officer = User.objects.get(username="phonggd.huongtra")
    assert schools_visible(officer).count() == 7
    assert {s.unit.name for s in schools_visible(officer)} == {"phường Hương Trà"}
    assert User.objects.get(username="quantri").memberships.get().role == Role.ADMIN


def test_thanh_chan_principal_logs_in_and_sees_the_result(demo, client):
    response = client.post(
        reverse("accounts:login"), {"username": "hieutruong.thanhchan", "password": DEMO_PASSWORD}, follow=True
    )
    assert response.status_code == 200
    page = client.get("/").content.decode()
    assert "Trường Tiểu học Thanh Chấn" in page
    assert "Mức 1: 27/27" in page
    assert "Mức 4: 2/5" in page
    assert "đạt Mức 3" in page


def test_one_school_merger_is_in_the_demo_marked_illustrative(demo):
    from kiemdinh.units.models import CampusKind, SchoolMerger

    merger = SchoolMerger.objects.select_related("predecessor", "successor").get()
    assert (merger.predecessor.code, merger.successor.code) == ("46-HT-TH-SO2HUONGVAN", "46-HT-TH-HUONGVAN")
    assert "minh họa" in merger.decision_number and merger.note.startswith("Minh họa")
    assert not merger.predecessor.is_active and merger.successor.unit.name == "phường Hương Trà"
    sites = list(merger.successor.campuses.values_list("kind", "predecessor__code"))
    assert sites == [(CampusKind.MAIN, None), (CampusKind.SITE, "46-HT-TH-SO2HUONGVAN")]
    # the 2024 plan still lists the merged school, as issued
    assert merger.predecessor.plan_targets.filter(plan__number="20/KH-UBND").exists()
