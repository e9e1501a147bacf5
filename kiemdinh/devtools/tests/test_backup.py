"""backup / restore: a whole installation (the demo world plus uploaded files) survives a round trip onto an empty one."""

import hashlib
import json
import zipfile
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from kiemdinh.accounts.models import User
from kiemdinh.core import storage as stored_files
from kiemdinh.core.models import AuditEvent
from kiemdinh.devtools.backup import MANIFEST, backup_models, database_rows, file_fields
from kiemdinh.devtools.demo.build import build_demo
from kiemdinh.devtools.demo.people import DEMO_PASSWORD
from kiemdinh.evidence.models import Evidence, EvidenceFile
from kiemdinh.evidence.services import evidence_record
from kiemdinh.planning.models import PlanTask, TaskStatus, TaskUpdate
from kiemdinh.planning.services import task_report
from kiemdinh.testing.storage import stored_names
from kiemdinh.units.models import School


def pdf(name: str, text: str) -> SimpleUploadedFile:
    content = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% " + text.encode() + b"\n%%EOF\n"
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def stored_file_hashes() -> dict[str, str]:
    """SHA-256 of every file a FileField refers to, read back through the storage."""
    hashes = {}
    for model in backup_models():
        for f in file_fields(model):
            for name in model._base_manager.exclude(**{f.attname: ""}).values_list(f.attname, flat=True):
                with stored_files.reading(f.storage, name) as stream:
                    hashes[name] = hashlib.sha256(stream.read()).hexdigest()
    return hashes


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def empty_installation() -> None:
    """What a new server looks like after `migrate`: tables without rows, an empty storage (directory or bucket)."""
    call_command("flush", interactive=False, verbosity=0)
    for name in stored_names(default_storage):
        default_storage.delete(name)
    assert database_rows() == {} and stored_names(default_storage) == []


def data_hashes(manifest: dict) -> dict[str, str]:
    return {m["label"]: m["sha256"] for m in manifest["models"]}


def manifest_of(path) -> dict:
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read(MANIFEST))


@pytest.mark.django_db(transaction=True)
def test_the_demo_world_with_its_files_survives_backup_and_restore_onto_an_empty_installation(
    any_storage, frameworks_loaded, tmp_path
):
    build_demo()
    principal = User.objects.get(username="hieutruong.thanhchan")
    school = School.objects.get(name="Trường Tiểu học Thanh Chấn")
    evidence_record(
        actor=principal,
        school=school,
        name="Biên bản kiểm tra cơ sở vật chất",
        files=[pdf("bien-ban-kiem-tra.pdf", "bien ban"), pdf("Ảnh hiện trạng phòng học.pdf", "anh")],
    )
    officer = User.objects.get(username="phonggd.huongtra")
    task = PlanTask.objects.filter(plan__unit__code="46-HT").first()
    task_report(
        actor=officer,
        task=task,
        status=TaskStatus.IN_PROGRESS,
        note="Đã tổ chức tập huấn.",
        upload=pdf("bao-cao-tap-huan.pdf", "tap huan"),
    )
    rows_before = database_rows()
    files_before = stored_file_hashes()
    assert len(files_before) >= 3 and stored_names(any_storage) == sorted(files_before)
    assert rows_before["evidence.evidencefile"] >= 2 and rows_before["planning.taskupdate"] >= 1
    assert any(label.startswith("selfassessment.historical") for label in rows_before)  # history is data too
    path = tmp_path / "sao-luu.zip"

    assert "Đã sao lưu" in run("backup", str(path))

    manifest = manifest_of(path)
    assert manifest["format_version"] == 1 and manifest["database_vendor"]
    assert {label: n for label, n in manifest["row_counts"].items() if n} == rows_before
    assert {f["name"]: f["sha256"] for f in manifest["files"]} == files_before
    assert manifest["missing_files"] == []
    left_out = {"contenttypes.contenttype", "auth.permission", "sessions.session", "admin.logentry"}
    assert not left_out & set(manifest["row_counts"])
    assert not any(label.startswith(("django_tasks_db.", "axes.")) for label in manifest["row_counts"])
    with pytest.raises(CommandError, match="đã có"):
        run("backup", str(path))  # an existing archive is never replaced silently

    empty_installation()
    assert "Đã khôi phục" in run("restore", str(path))

    assert database_rows() == rows_before
    assert stored_file_hashes() == files_before and stored_names(any_storage) == sorted(files_before)
    # Every row is back exactly as it was: a second backup serialises the very same data.
    again = tmp_path / "lan-hai.zip"
    run("backup", str(again))
    assert data_hashes(manifest_of(again)) == data_hashes(manifest)
    # The restored installation works: logins, and new rows get fresh ids (sequences moved past the loaded ones).
    assert User.objects.get(username="hieutruong.thanhchan").check_password(DEMO_PASSWORD)
    latest_event = AuditEvent.objects.order_by("-id").first().id
    extra = evidence_record(actor=principal, school=school, name="Minh chứng mới", files=[pdf("moi.pdf", "moi")])
    assert extra.pk > max(Evidence.objects.exclude(pk=extra.pk).values_list("pk", flat=True))
    assert AuditEvent.objects.order_by("-id").first().id > latest_event
    assert default_storage.exists(EvidenceFile.objects.get(version__evidence=extra).file.name)
    assert TaskUpdate.objects.get(task=task).file.read().startswith(b"%PDF")

    # Restoring again is refused: the installation is not empty any more.
    with pytest.raises(CommandError, match="đã có dữ liệu"):
        run("restore", str(path))


@pytest.fixture
def small_world(world, frameworks_loaded):
    """The test personas' world with one uploaded evidence file."""
    evidence_record(
        actor=world.principal_a, school=world.school_a, name="Quyết định thành lập", files=[pdf("qd.pdf", "qd")]
    )
    return world


def test_restore_refuses_a_database_that_has_data_and_changes_nothing(any_storage, small_world, tmp_path):
    path = tmp_path / "sao-luu.tar.gz"
    run("backup", str(path))
    assert "nguyên vẹn" in run("restore", str(path), "--check")
    rows, files = database_rows(), stored_file_hashes()

    with pytest.raises(CommandError, match="Cơ sở dữ liệu đã có dữ liệu"):
        run("restore", str(path))

    assert database_rows() == rows
    assert stored_file_hashes() == files


def _corrupt(source, target) -> None:
    """Copy an archive, changing the bytes of its first stored file (the manifest keeps the original hash)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        changed = False
        for info in old.infolist():
            data = old.read(info)
            if info.filename.startswith("files/") and not changed:
                data, changed = data.replace(b"qd", b"QD"), True
            new.writestr(info, data)
    assert changed


@pytest.mark.django_db(transaction=True)
def test_a_corrupted_archive_is_refused_and_leaves_the_installation_empty(any_storage, small_world, tmp_path):
    path, corrupted = tmp_path / "sao-luu.zip", tmp_path / "hong.zip"
    run("backup", str(path))
    _corrupt(path, corrupted)
    empty_installation()

    with pytest.raises(CommandError, match="không khớp với manifest"):
        run("restore", str(corrupted))
    with pytest.raises(CommandError, match="không khớp với manifest"):
        run("restore", str(corrupted), "--check")

    assert database_rows() == {} and stored_names(any_storage) == []
    # The intact archive still restores.
    run("restore", str(path))
    assert Evidence.objects.get().latest_version().files.get().original_name == "qd.pdf"


@pytest.mark.django_db(transaction=True)
def test_a_backup_from_the_disk_restores_into_an_s3_bucket(small_world, settings, tmp_path, request):
    """Moving an installation to object storage: back up with KIEMDINH_STORAGE=files, restore with s3."""
    path = tmp_path / "sao-luu.tar.gz"
    run("backup", str(path))
    files = stored_file_hashes()
    call_command("flush", interactive=False, verbosity=0)
    bucket = request.getfixturevalue("s3_storage")
    assert stored_names(bucket) == []

    assert "Đã khôi phục" in run("restore", str(path))

    assert stored_names(bucket) == sorted(files) and stored_file_hashes() == files
    row = Evidence.objects.get().latest_version().files.get()
    with stored_files.reading(bucket, row.file.name) as stream:
        assert stream.read().startswith(b"%PDF")


def test_restore_rejects_what_is_not_a_backup(db, tmp_path):
    path = tmp_path / "khac.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    with pytest.raises(CommandError, match="không phải bản sao lưu"):
        run("restore", str(path))
    with pytest.raises(CommandError, match=r"\.zip hoặc \.tar\.gz"):
        run("backup", str(tmp_path / "sao-luu.rar"))


@pytest.mark.parametrize("name", ["sao-luu.zip", "sao-luu.tar.gz"])
def test_archives_are_readable_by_their_owner_only(db, tmp_path, name):
    """The archive holds every password hash: mode 0600 whatever the umask, also when replacing an older archive that
    was readable by all."""
    import os
    import stat

    path = tmp_path / name
    path.write_bytes(b"ban cu")
    path.chmod(0o644)
    previous = os.umask(0o002)
    try:
        run("backup", str(path), "--overwrite")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "nguyên vẹn" in run("restore", str(path), "--check")
    assert not list(tmp_path.glob("*.dang-ghi"))
