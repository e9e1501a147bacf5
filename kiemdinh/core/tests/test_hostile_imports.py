"""Hostile files cannot hurt the service (issue #18 §4), through every Excel/CSV import there is: the school list
(units app) and the evidence catalogue (evidence app), each run with the same crafted files.

What was wrong before: a 104 KB XLSX holding one 100 MB string took 1.2 GB and stored 100 MB of preview that stayed
after "Hủy"; a 54 KB XLSX of six million empty rows was read whole inside a transaction for 28 s, every other user's
write failing with "database is locked". Now: caps checked before parsing, parsing outside any transaction, previews
holding only what is shown, discarded and expired previews deleted, one waiting import per user.
"""

import json
import random
import tracemalloc
import zipfile
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from kiemdinh.core.tests import crafted_xlsx as crafted
from kiemdinh.evidence import imports as evidence_imports
from kiemdinh.evidence.models import EvidenceImportBatch
from kiemdinh.testing.storage import stored_names
from kiemdinh.units.imports import batches as unit_imports
from kiemdinh.units.models import ImportBatch
from kiemdinh.workflow.services import cycle_open

SCHOOL_HEADER = ["Mã trường", "Tên trường", "Loại trường", "Mã đơn vị quản lý"]
CATALOGUE_HEADER = ["TT", "Mã minh chứng", "Tên minh chứng", "Số, ngày ban hành", "Nơi ban hành", "Ghi chú"]


@dataclass
class Importer:
    """One import as a person uses it: who uploads, the header of a good file, a good row, its batches."""

    name: str
    user: object
    header: list[str]
    good_row: list
    name_column: int  # 1-based column of the long free-text field ("Tên …")
    name_limit: int  # its max_length
    model: type
    prepare_for: object  # (user, upload) -> batch

    def prepare(self, upload, user=None):
        return self.prepare_for(user or self.user, upload)

    def good_file(self, *extra_rows) -> bytes:
        return crafted.xlsx([crafted.rows_xml([self.header, self.good_row, *extra_rows])])

    def discard(self, batch):
        if self.model is ImportBatch:
            return unit_imports.import_batch_discard(actor=self.user, batch=batch)
        return evidence_imports.evidence_import_discard(actor=self.user, batch=batch)

    def commit(self, batch):
        if self.model is ImportBatch:
            return unit_imports.import_batch_commit(actor=self.user, batch=batch)
        return evidence_imports.evidence_import_commit(actor=self.user, batch=batch)


@pytest.fixture(params=["school-list", "evidence-catalogue"])
def importer(request, world, frameworks_loaded):
    if request.param == "school-list":
        return Importer(
            name=request.param,
            user=world.officer_district,
            header=SCHOOL_HEADER,
            good_row=["TH-MOI", "Trường Tiểu học Mới", "TH", world.commune_a.code],
            name_column=2,
            name_limit=200,
            model=ImportBatch,
            prepare_for=lambda user, upload: unit_imports.import_batch_prepare(
                actor=user, kind="schools", uploaded_file=upload
            ),
        )
    cycle = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2025-2026")
    return Importer(
        name=request.param,
        user=world.secretary_a,
        header=CATALOGUE_HEADER,
        good_row=[1, "[H1-1.1-01]", "Kế hoạch chiến lược phát triển nhà trường", "Số 15/KH", "Trường", ""],
        name_column=3,
        name_limit=1000,
        model=EvidenceImportBatch,
        prepare_for=lambda user, upload: evidence_imports.evidence_import_prepare(
            actor=user, cycle=cycle, uploaded_file=upload
        ),
    )


class WatchedUpload:
    """An upload that records, when it is first read, whether a database transaction is open, and that counts how
    many uncompressed bytes of the workbook's parts are read afterwards."""

    def __init__(self, data: bytes, monkeypatch, name: str = "danh-sach.xlsx"):
        self.upload = crafted.upload(data, name)
        self.name, self.size = self.upload.name, self.upload.size
        self.in_transaction_at_read: bool | None = None
        self.unzipped = 0
        real_read = zipfile.ZipExtFile.read

        def counting_read(stream, n=-1):
            data = real_read(stream, n)
            self.unzipped += len(data)
            return data

        monkeypatch.setattr(zipfile.ZipExtFile, "read", counting_read)

    def read(self, *args):
        if self.in_transaction_at_read is None:
            self.in_transaction_at_read = connection.in_atomic_block
        return self.upload.read(*args)


def stored_size(model) -> int:
    return sum(len(json.dumps(b.rows)) + len(json.dumps(b.errors)) for b in model.objects.all())


# --- caps, checked before parsing -----------------------------------------------------------------------------------


def test_a_100_mb_string_is_refused_from_the_zip_directory_and_nothing_is_stored(importer):
    data = crafted.giant_shared_string(importer.header, 100 * 1024 * 1024, column=importer.name_column)
    assert len(data) < 200_000  # the file of the report: about 104 KB

    tracemalloc.start()
    try:
        with pytest.raises(ValidationError) as refused:
            importer.prepare(crafted.upload(data))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    message = " ".join(refused.value.messages)
    assert "xl/sharedStrings.xml" in message and "100 MB" in message and "giới hạn 20 MB" in message
    assert peak < 5 * 1024 * 1024  # before: 1.2 GB of the worker's memory
    assert not importer.model.objects.exists()


def test_a_cell_over_the_length_cap_is_refused_naming_the_cell_and_the_cap(importer):
    words = ["quyết", "định", "thành", "lập", "hội", "đồng", "trường", "năm", "học", "kế", "hoạch", "số"]
    pick = random.Random(18)
    long_name = " ".join(pick.choice(words) for _ in range(4000))  # about 20,000 characters, not a zip bomb
    row = list(importer.good_row)
    row[importer.name_column - 1] = long_name
    data = crafted.xlsx([crafted.rows_xml([importer.header, row])])

    with pytest.raises(ValidationError) as refused:
        importer.prepare(crafted.upload(data))

    column = "BC"[importer.name_column - 2]
    assert refused.value.messages == [
        f"Ô {column}2 dài hơn 5.000 ký tự, vượt quá giới hạn 5.000 ký tự mỗi ô. "
        "Hãy rút gọn nội dung ô này rồi tải lên lại."
    ]
    assert not importer.model.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_six_million_empty_rows_are_refused_before_any_transaction_without_reading_them(importer, monkeypatch):
    data = crafted.empty_rows(importer.header, 6_000_000, dimension=False, first_data=importer.good_row)
    assert len(data) < 100_000  # the file of the report: 54 KB
    upload = WatchedUpload(data, monkeypatch)

    with pytest.raises(ValidationError) as refused:
        importer.prepare(upload)

    assert "giới hạn" in " ".join(refused.value.messages)
    # Read outside any transaction, so nobody's write waits for it (before: 28 s holding SQLite's write lock).
    assert upload.in_transaction_at_read is False
    assert upload.unzipped < 1024 * 1024  # of 36 MB of XML
    assert not importer.model.objects.exists()


def test_too_many_columns_and_rows_of_data_are_refused_naming_the_cap(importer, settings):
    wide = list(importer.good_row) + [""] * 60 + ["cột thừa"]
    with pytest.raises(ValidationError) as refused:
        importer.prepare(crafted.upload(importer.good_file(wide)))
    assert refused.value.messages[0].startswith("Dòng 3 có dữ liệu ở cột thứ")
    assert "vượt quá giới hạn 50 cột" in refused.value.messages[0]

    settings.KIEMDINH_IMPORT_MAX_ROWS = 3
    rows = [[f"x{i}"] for i in range(4)]
    with pytest.raises(ValidationError) as refused:
        importer.prepare(crafted.upload(importer.good_file(*rows)))
    assert refused.value.messages == [
        "Tệp có hơn 3 dòng dữ liệu. Mỗi lần chỉ nhập được tối đa 3 dòng; hãy chia thành nhiều tệp."
    ]
    assert not importer.model.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_good_file_is_read_and_checked_outside_any_transaction(importer, monkeypatch):
    upload = WatchedUpload(importer.good_file(), monkeypatch)
    batch = importer.prepare(upload)
    assert batch.errors == []
    assert upload.in_transaction_at_read is False


# --- previews hold only what is shown --------------------------------------------------------------------------------


def test_the_preview_keeps_a_too_long_value_cut_to_what_is_shown(importer):
    row = list(importer.good_row)
    row[importer.name_column - 1] = "Tên dài " + "a" * 4792  # 4,800 characters: under the cell cap, over the column's
    batch = importer.prepare(crafted.upload(importer.good_file(row)))

    assert batch.errors  # the row is refused, and says how long the text was
    assert any("hiện có 4800" in e["message"] for e in batch.errors)
    stored = next(r for r in batch.rows if r["row"] == 3)
    name = stored["name"]
    assert len(name) == importer.name_limit + 1 and name.endswith("…")  # still too long if checked again
    assert stored_size(importer.model) < 5_000
    with pytest.raises(ValidationError):
        importer.commit(batch)


def test_discarding_deletes_the_stored_preview(importer):
    batch = importer.prepare(crafted.upload(importer.good_file()))
    assert batch.rows

    importer.discard(batch)

    batch.refresh_from_db()
    assert (batch.status, batch.rows, batch.errors) == ("discarded", [], [])
    assert batch.original_filename == "danh-sach.xlsx"  # what was uploaded, and when, stays for the history


# --- waiting imports expire; one per user ----------------------------------------------------------------------------


def test_a_waiting_import_expires_and_the_purge_deletes_its_preview(any_storage, importer, settings):
    settings.KIEMDINH_IMPORT_PENDING_HOURS = 24
    old = importer.prepare(crafted.upload(importer.good_file()))
    assert old.rows and stored_names(any_storage) == []  # the preview is rows in the database, never a stored file
    importer.model.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=25))

    with pytest.raises(ValidationError) as refused:
        importer.commit(old)
    assert "hết hạn" in refused.value.messages[0]

    call_command("purge_imports", stdout=open("/dev/null", "w"))  # noqa: SIM115

    old.refresh_from_db()
    assert (old.status, old.rows, old.errors) == ("expired", [], [])
    assert [(b.rows, b.errors) for b in importer.model.objects.all()] == [([], [])]
    assert stored_names(any_storage) == []


def test_the_purge_keeps_a_recent_waiting_import_and_what_was_committed(importer, settings):
    waiting = importer.prepare(crafted.upload(importer.good_file()))
    call_command("purge_imports", stdout=open("/dev/null", "w"))  # noqa: SIM115
    waiting.refresh_from_db()
    assert waiting.status == "pending" and waiting.rows

    committed = importer.commit(waiting)
    importer.model.objects.filter(pk=committed.pk).update(created_at=timezone.now() - timedelta(days=30))
    call_command("purge_imports", stdout=open("/dev/null", "w"))  # noqa: SIM115
    committed.refresh_from_db()
    assert committed.status == "committed" and committed.rows  # the record of what was imported


def test_a_second_upload_while_one_waits_is_refused_naming_the_waiting_one(importer, world):
    first = importer.prepare(crafted.upload(importer.good_file()))

    with pytest.raises(ValidationError) as refused:
        importer.prepare(crafted.upload(importer.good_file(), name="lan-hai.xlsx"))

    message = refused.value.messages[0]
    assert "danh-sach.xlsx" in message and "chờ xác nhận" in message
    assert importer.model.objects.filter(created_by=importer.user).count() == 1
    # Once the waiting one is discarded (or committed), the next upload goes through.
    importer.discard(first)
    assert importer.prepare(crafted.upload(importer.good_file(), name="lan-hai.xlsx")).status == "pending"


def test_an_expired_waiting_import_does_not_block_the_next_upload(importer):
    old = importer.prepare(crafted.upload(importer.good_file()))
    importer.model.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))

    new = importer.prepare(crafted.upload(importer.good_file(), name="moi.xlsx"))

    old.refresh_from_db()
    assert (old.status, old.rows, new.status) == ("expired", [], "pending")


# --- the screens ----------------------------------------------------------------------------------------------------


def start_url(importer, batch=None) -> str:
    if importer.model is ImportBatch:
        return reverse("units:import_start")
    cycle_id = batch.cycle_id if batch else EvidenceImportBatch.objects.values_list("cycle_id", flat=True).first()
    return reverse("evidence:import_start", args=[cycle_id])


def preview_url(importer, batch) -> str:
    if importer.model is ImportBatch:
        return reverse("units:import_preview", args=[batch.pk])
    return reverse("evidence:import_preview", args=[batch.cycle_id, batch.pk])


def test_a_second_upload_on_the_page_shows_the_refusal_and_links_the_waiting_batch(client, importer):
    first = importer.prepare(crafted.upload(importer.good_file()))
    client.force_login(importer.user)
    url = start_url(importer, first)
    form = {"kind": "schools"} if importer.model is ImportBatch else {}
    response = client.post(url, {**form, "file": crafted.upload(importer.good_file(), name="lan-hai.xlsx")})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Bạn đang có một lô nhập" in page and "chờ xác nhận: tệp “danh-sach.xlsx”" in page
    assert f'href="{preview_url(importer, first)}"' in page  # the waiting batch, to confirm or discard
    assert importer.model.objects.count() == 1


def test_a_refused_file_shows_the_cap_on_the_page_and_stores_nothing(client, importer, settings):
    settings.KIEMDINH_IMPORT_MAX_ROWS = 2
    client.force_login(importer.user)
    importer.prepare(crafted.upload(importer.good_file()))
    first = importer.model.objects.get()
    importer.discard(first)
    form = {"kind": "schools"} if importer.model is ImportBatch else {}
    rows = [["a"], ["b"], ["c"]]
    response = client.post(start_url(importer, first), {**form, "file": crafted.upload(importer.good_file(*rows))})
    assert "Tệp có hơn 2 dòng dữ liệu. Mỗi lần chỉ nhập được tối đa 2 dòng" in response.content.decode()
    assert importer.model.objects.count() == 1  # the discarded one only


def test_an_expired_batch_shows_as_expired_with_nothing_to_confirm(client, importer):
    batch = importer.prepare(crafted.upload(importer.good_file()))
    importer.model.objects.filter(pk=batch.pk).update(created_at=timezone.now() - timedelta(days=2))
    client.force_login(importer.user)

    page = client.get(preview_url(importer, batch)).content.decode()

    assert "Hết hạn" in page and "Lô nhập này đã hết hạn" in page
    assert "Xác nhận nhập" not in page and "Trường Tiểu học Mới" not in page and "Kế hoạch chiến lược" not in page
    # Not offered as the waiting batch on the start page either.
    assert "Bạn có một lô nhập đang chờ xác nhận" not in client.get(start_url(importer, batch)).content.decode()
    assert "Hết hạn" in client.get(start_url(importer, batch)).content.decode()  # in the list of recent imports


# --- the migration that brings an installation to one waiting import per person --------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("migration", "model"),
    [
        ("kiemdinh.units.migrations.0003_import_batch_expiry_one_pending", ImportBatch),
        ("kiemdinh.evidence.migrations.0003_import_batch_expiry_one_pending", EvidenceImportBatch),
    ],
    ids=["school-list", "evidence-catalogue"],
)
def test_the_migration_keeps_each_persons_newest_waiting_batch_and_clears_old_previews(
    world, frameworks_loaded, migration, model
):
    """Before the constraint, a person could have several waiting batches, and discarded ones kept their rows."""
    import importlib

    from django.apps import apps as installed

    keep_one = importlib.import_module(migration).keep_one_pending_and_clear_old_previews
    (constraint,) = model._meta.constraints
    with connection.schema_editor() as editor:
        editor.remove_constraint(model, constraint)
    try:
        extra = (
            {}
            if model is ImportBatch
            else {"cycle": cycle_open(actor=None, school=world.school_a, school_year="2025-2026")}
        )
        extra |= {"kind": "schools"} if model is ImportBatch else {}
        rows = [{"row": 2, "name": "x" * 1000}]
        older, newer = (model.objects.create(created_by=world.admin, rows=rows, **extra) for _ in range(2))
        model.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(hours=1))
        other = model.objects.create(created_by=world.officer_district, rows=rows, **extra)
        discarded = model.objects.create(created_by=world.officer_district, rows=rows, status="discarded", **extra)

        keep_one(installed, None)

        state = {b.pk: (b.status, bool(b.rows)) for b in model.objects.all()}
        assert state == {
            older.pk: ("expired", False),
            newer.pk: ("pending", True),
            other.pk: ("pending", True),
            discarded.pk: ("discarded", False),
        }
    finally:
        model.objects.all().delete()
        with connection.schema_editor() as editor:
            editor.add_constraint(model, constraint)
