"""Issue #18 §1: an accepted dossier never changes.

Every document kind of an accepted cycle is exported, then everything a later cycle can reach is changed (its carried
evidence renamed, re-filed and re-cited, council, groups, assignments, plan, timeline, worksheet, statistics, report
texts, criterion forms, improvement plan lines carried over and edited; the school and its commune renamed), and every
document is exported again: the same bytes.
"""

import io
import re
import zipfile
from datetime import UTC, date, datetime
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kiemdinh.accounts.models import User
from kiemdinh.documents import kinds, rendering
from kiemdinh.evidence.models import CycleEvidence, EvidenceCitation
from kiemdinh.evidence.services import evidence_cite, evidence_file_add, evidence_uncite, evidence_update
from kiemdinh.frameworks.models import Criterion, Indicator
from kiemdinh.improvement.models import ImprovementPlan
from kiemdinh.improvement.services import LINE_FIELDS, line_update, lines_carry_over, plan_create
from kiemdinh.selfassessment.council.services import (
    council_member_update,
    plan_activity_update,
    plan_update,
    scope_analysis_save,
    working_group_update,
)
from kiemdinh.selfassessment.models import (
    CriterionForm,
    Cycle,
    CycleStatus,
    PlanActivity,
    SchoolStatistics,
    ScopeAnalysis,
)
from kiemdinh.selfassessment.services import criterion_form_save, report_texts_save, school_statistics_save
from kiemdinh.units.models import School
from kiemdinh.workflow.selectors import DossierChanged, dossier_check
from kiemdinh.workflow.services import cycle_open

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def unzipped(data: bytes) -> dict[str, bytes]:
    """A DOCX, XLSX or ZIP as its members (nested office files inside the offline package opened too)."""
    members = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            body = archive.read(name)
            if name.endswith((".docx", ".xlsx")):
                members.update({f"{name}!{k}": v for k, v in unzipped(body).items()})
            elif name == "docProps/core.xml":
                # When the file was written (openpyxl stamps the time of saving), not what it says.
                members[name] = re.sub(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>", b"", body)
            elif name == "manifest.json" or name.endswith(".html"):
                # The offline package says when it was made (manifest and page footers).
                members[name] = re.sub(
                    rb'"generated_at": "[^"]*"|t\xe1\xba\xa1o ng\xc3\xa0y \d\d/\d\d/\d{4} \d\d:\d\d', b"", body
                )
            else:
                members[name] = body
    return members


EXPORTED_AT = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)


def export_all(cycle: Cycle) -> dict[tuple[str, str], dict[str, bytes]]:
    """Every document kind of the cycle in every format but PDF (a rendering of the DOCX), as the download writes it."""
    cycle = Cycle.objects.select_related("school__unit", "framework").get(pk=cycle.pk)
    exported = {}
    # Exported at one fixed moment: the offline package prints when it was made, which is not what is compared.
    with mock.patch("django.utils.timezone.now", return_value=EXPORTED_AT):
        for kind in kinds.CYCLE_KINDS:
            for fmt in kind.formats:
                if fmt != "pdf":
                    target = io.BytesIO()
                    rendering.write(kind, rendering.build(kind, cycle), fmt, target)
                    exported[kind.kind, fmt] = unzipped(target.getvalue())
    return exported


def change_everything_from(later: Cycle, principal: User) -> None:
    """Every change a later cycle (opened with carry-over) can make, through the services."""
    links = list(CycleEvidence.objects.filter(cycle=later).select_related("version", "criterion").order_by("id"))
    assert links, "the later cycle carried the evidence over"
    for n, link in enumerate(links):
        evidence_update(
            actor=principal,
            cycle_evidence=link,
            name=f"{link.version.name} (đã sửa năm sau)",
            issue_ref="Số 99/QĐ-TH ngày 01/9/2022",
            issued_by="Nhà trường (năm sau)",
            note="Ghi chú năm sau",
            valid_until=date(2023, 5, 31),
        )
        if n < 3:
            link.refresh_from_db()
            evidence_file_add(
                actor=principal,
                cycle_evidence=link,
                uploaded_file=SimpleUploadedFile(f"bo-sung-{n}.pdf", PDF + bytes([n]), "application/pdf"),
            )
    cited = EvidenceCitation.objects.filter(cycle_evidence__cycle=later).select_related("cycle_evidence", "criterion")
    for citation in list(cited)[:3]:
        evidence_uncite(actor=principal, cycle_evidence=citation.cycle_evidence, criterion=citation.criterion)
    other = Criterion.objects.filter(version=later.framework).order_by("-position").first()
    evidence_cite(actor=principal, cycle_evidence=links[0], criterion=other)

    for member in later.council_members.select_related("group"):
        council_member_update(
            actor=principal,
            member=member,
            full_name=f"{member.full_name} Mới",
            role=member.role,
            job_title="Giáo viên (năm sau)",
            group=member.group,
        )
    for group in later.working_groups.all():
        working_group_update(actor=principal, group=group, name=f"{group.name} (năm sau)", note="Nhiệm vụ mới")
    plan_update(actor=principal, cycle=later, number="01/KH-TH", purpose="Mục đích năm sau", scope="Phạm vi mới")
    for activity in PlanActivity.objects.filter(cycle=later):
        plan_activity_update(
            actor=principal, activity=activity, title=f"{activity.title} (năm sau)", step=activity.step
        )
    for indicator in Indicator.objects.filter(criterion__version=later.framework).order_by("id")[:5]:
        scope_analysis_save(actor=principal, cycle=later, indicator=indicator, meaning="Nội hàm viết lại năm sau")
    for table in SchoolStatistics.objects.filter(cycle=later).values_list("table", flat=True):
        school_statistics_save(actor=principal, cycle=later, table=table, values={})
    report_texts_save(actor=principal, cycle=later, texts={"conclusion": "Kết luận chung của năm sau."})
    for form in CriterionForm.objects.filter(cycle=later, criterion__isnull=False).select_related("criterion")[:5]:
        criterion_form_save(
            actor=principal,
            cycle=later,
            criterion=form.criterion,
            base_version=form.version,
            descriptions={k: f"{v} (năm sau)" for k, v in form.descriptions.items()},
            strengths="Điểm mạnh năm sau",
            weaknesses="Điểm yếu năm sau",
            improvement="Cải tiến năm sau",
        )
    source = ImprovementPlan.objects.filter(cycle=later.carried_from).first()
    if source is not None:
        plan = plan_create(actor=principal, cycle=later)
        lines_carry_over(actor=principal, plan=plan, source=source)
        for line in plan.lines.all()[:3]:
            values = {name: getattr(line, name) for name in LINE_FIELDS}
            line_update(
                actor=principal,
                line=line,
                criterion=line.criterion,
                level4_item=line.level4_item,
                issue=line.issue,
                **{**values, "target": f"{line.target} (năm sau)"},
            )


def test_every_document_of_an_accepted_cycle_is_unchanged_by_a_later_cycle(demo, client):
    accepted = Cycle.objects.get(school__code="DEMO-TC-TH", school_year="2021-2022")
    assert accepted.status == CycleStatus.ACCEPTED
    principal = User.objects.get(username="hieutruong.thanhchan")
    before = export_all(accepted)
    assert {kind for kind, _ in before} == {k.kind for k in kinds.CYCLE_KINDS} and len(kinds.CYCLE_KINDS) == 9

    later = cycle_open(actor=principal, school=accepted.school, school_year="2022-2023", carry_over_from=accepted)
    change_everything_from(later, principal)
    # The school and its commune renamed since (a merger, the 2025 reform): the old dossier keeps the old names.
    school = School.objects.select_related("unit").get(pk=accepted.school_id)
    school.name, school.address = "Trường Tiểu học Thanh Chấn Mới", "Địa chỉ mới"
    school.save()
    school.unit.name = "Xã Mới Sáp Nhập"
    school.unit.save()

    after = export_all(accepted)
    for key, members in before.items():
        changed = sorted(
            name for name in members.keys() | after[key].keys() if members.get(name) != after[key].get(name)
        )
        assert not changed, f"{key} changed after edits in a later cycle: {changed[:5]}"
    assert dossier_check(accepted) is not None
    # Its pages too: the evidence register and the heading show the dossier as accepted.
    client.force_login(principal)
    page = client.get(reverse("evidence:list", args=[accepted.pk]) + "?tcu=tat-ca").content.decode()
    # The page's own content (the header names the principal's role with the school's name of today, rightly).
    page = page[page.index("<main") :]
    assert "đã sửa năm sau" not in page and "Trường Tiểu học Thanh Chấn Mới" not in page
    assert "Trường Tiểu học Thanh Chấn" in page


def test_the_issue_reproduction_renaming_h1_1_1_01_in_2024_2025(demo):
    """Accepted TH Số 2 Tứ Hạ 2023–2024; open 2024–2025 with carry-over; rename [H1-1.1-01] there."""
    accepted = Cycle.objects.get(school__name__contains="Số 2 Tứ Hạ", school_year="2023-2024")
    assert accepted.status == CycleStatus.ACCEPTED
    principal = User.objects.filter(memberships__school=accepted.school).first() or User.objects.get(username="quantri")
    catalogue = export_all(accepted)[("evidence-catalogue", "xlsx")]
    later = cycle_open(actor=principal, school=accepted.school, school_year="2024-2025", carry_over_from=accepted)
    link = CycleEvidence.objects.select_related("version").get(cycle=later, code="[H1-1.1-01]")
    old_name = link.version.name
    evidence_update(actor=principal, cycle_evidence=link, name="Tên mới đặt ở năm 2024–2025")
    assert export_all(accepted)[("evidence-catalogue", "xlsx")] == catalogue
    old = CycleEvidence.objects.select_related("version").get(cycle=accepted, code="[H1-1.1-01]")
    assert old.version.name == old_name and old.version.number == 1
    link.refresh_from_db()
    assert link.version.name == "Tên mới đặt ở năm 2024–2025" and link.version.number == 2


def test_a_document_is_refused_when_the_rows_no_longer_match_the_snapshot(demo):
    """A change behind the services' back (an edit in the database) is caught before any document is built."""
    accepted = Cycle.objects.get(school__code="DEMO-TC-TH", school_year="2021-2022")
    CriterionForm.objects.filter(cycle=accepted, criterion__code="1.1").update(strengths="sửa thẳng trong CSDL")
    with pytest.raises(DossierChanged, match="không còn khớp"):
        kinds.render("report", accepted, "docx")
    ScopeAnalysis.objects.filter(cycle=accepted).update(meaning="x")
    with pytest.raises(DossierChanged):
        dossier_check(accepted)


def test_an_accepted_result_stays_as_filed_when_the_regulation_data_is_corrected(demo, monkeypatch):
    """A correction of a published regulation's data (docs/decisions/0001) can change what the engine computes from
    the same ratings (a Mức 4 list of 5 read as 6). The accepted dossier keeps the result it was accepted with, and its
    documents are still built."""
    from kiemdinh.frameworks.rules import Evaluation, LevelCount
    from kiemdinh.selfassessment import selectors
    from kiemdinh.selfassessment.selectors import reference_snapshot

    accepted = Cycle.objects.get(school__code="DEMO-TC-TH", school_year="2021-2022")
    filed = reference_snapshot(accepted).content["result"]
    assert filed["levels"]["4"] == {"achieved": 2, "total": 5} and filed["school_level"] == 3
    recomputed = Evaluation.from_contract(filed)
    corrected = Evaluation(
        framework=recomputed.framework,
        criteria=recomputed.criteria,
        levels={**recomputed.levels, 4: LevelCount(2, 6)},
        school_level=2,
        accreditation_grade=2,
        national_standard_level=1,
    )
    monkeypatch.setattr(selectors, "_evaluate_cycle", lambda cycle, code: corrected)
    assert selectors.live_evaluation(accepted).school_level == 2
    assert selectors.cycle_evaluation(accepted).as_contract() == filed
    report = kinds.render("report", accepted, "docx")  # not refused: the ratings did not change
    assert report.data
