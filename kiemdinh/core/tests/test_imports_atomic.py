"""An import killed half-way leaves nothing behind: every multi-step write is one transaction.

The school-list import and the evidence-catalogue import are made to fail on their Nth row — with an ordinary error,
and with a BaseException that no `except Exception` catches, as when the process is interrupted (SIGINT, a worker
stopped) — and afterwards no table has a row more than before, and the batch is still waiting to be committed. Once
the fault is gone the same batch commits completely.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from kiemdinh.devtools.backup import database_rows
from kiemdinh.evidence import imports as evidence_imports
from kiemdinh.evidence.models import CycleEvidence
from kiemdinh.evidence.services import versions as evidence_versions
from kiemdinh.units import services as unit_services
from kiemdinh.units.imports import batches as unit_imports
from kiemdinh.units.models import ImportStatus, School
from kiemdinh.workflow.services import cycle_open

pytestmark = pytest.mark.django_db


class ProcessKilled(BaseException):
    """Stands for the process being interrupted in the middle of the work."""


def xlsx(rows, name="danh-sach.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def fail_on_call(n: int, real, error: BaseException):
    """`real`, except that its nth call raises `error` (after the earlier calls did their writes)."""
    calls = []

    def wrapper(*args, **kwargs):
        calls.append(1)
        if len(calls) == n:
            raise error
        return real(*args, **kwargs)

    wrapper.calls = calls
    return wrapper


ERRORS = [pytest.param(RuntimeError("ổ đĩa đầy"), id="error"), pytest.param(ProcessKilled(), id="killed")]


@pytest.mark.parametrize("error", ERRORS)
def test_a_school_list_import_failing_on_its_fourth_row_writes_nothing(world, monkeypatch, error):
    header = ["Mã trường", "Tên trường", "Loại trường", "Loại hình", "Mã đơn vị quản lý"]
    rows = [[f"TH-{i}", f"Trường Tiểu học số {i}", "TH", "", "P01-D1-A"] for i in range(1, 7)]
    batch = unit_imports.import_batch_prepare(
        actor=world.officer_district, kind="schools", uploaded_file=xlsx([header, *rows])
    )
    assert batch.errors == []
    before = database_rows()
    failing = fail_on_call(4, unit_services.school_create, error)
    monkeypatch.setattr(unit_services, "school_create", failing)

    with pytest.raises(type(error)):
        unit_imports.import_batch_commit(actor=world.officer_district, batch=batch)

    assert len(failing.calls) == 4  # three schools had been written when it failed
    assert database_rows() == before  # schools, their audit events, the batch: nothing changed anywhere
    batch.refresh_from_db()
    assert (batch.status, batch.committed_at, batch.result) == (ImportStatus.PENDING, None, {})

    monkeypatch.undo()
    unit_imports.import_batch_commit(actor=world.officer_district, batch=batch)
    assert School.objects.filter(code__startswith="TH-").count() == 6


CATALOGUE = [
    ["TT", "Mã minh chứng", "Tên minh chứng", "Số, ngày ban hành", "Nơi ban hành", "Ghi chú"],
    ["Tiêu chí 1.1: Phương hướng, chiến lược xây dựng và phát triển nhà trường"],
    [1, "[H1-1.1-01]", "Kế hoạch chiến lược phát triển nhà trường", "Số 15/KH-THAB", "Trường TH An Bình", ""],
    [2, "[H1-1.1-02]", "Nghị quyết Hội đồng trường", "Số 03/NQ-HĐT", "Hội đồng trường", ""],
    ["Tiêu chí 1.2: Hội đồng trường và các hội đồng khác"],
    [1, "[H1-1.2-01]", "Quyết định thành lập Hội đồng trường", "Số 120/QĐ-UBND", "UBND xã An Bình", ""],
    [2, "[H1-1.2-02]", "Biên bản họp Hội đồng trường", "", "Hội đồng trường", ""],
    [3, "[H1-1.2-03]", "Quy chế hoạt động của Hội đồng trường", "", "Hội đồng trường", ""],
    [4, "[H1-1.1-01]", "", "", "", ""],  # a citation of an item of 1.1
]


@pytest.mark.parametrize("error", ERRORS)
def test_an_evidence_catalogue_import_failing_on_its_third_item_writes_nothing(
    world, frameworks_loaded, monkeypatch, error
):
    cycle = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2025-2026")
    batch = evidence_imports.evidence_import_prepare(
        actor=world.secretary_a, cycle=cycle, uploaded_file=xlsx(CATALOGUE)
    )
    assert batch.errors == []
    before = database_rows()
    failing = fail_on_call(3, evidence_versions._search_text, error)
    monkeypatch.setattr(evidence_versions, "_search_text", failing)

    with pytest.raises(type(error)):
        evidence_imports.evidence_import_commit(actor=world.secretary_a, batch=batch)

    assert len(failing.calls) == 3  # two items and their codes had been written when it failed
    assert database_rows() == before
    batch.refresh_from_db()
    assert (batch.status, batch.committed_at, batch.result) == (ImportStatus.PENDING, None, {})

    monkeypatch.undo()
    batch = evidence_imports.evidence_import_commit(actor=world.secretary_a, batch=batch)
    assert batch.result["created"] == 5 and batch.result["cited"] == 1
    assert CycleEvidence.objects.filter(cycle=cycle).count() == 5
