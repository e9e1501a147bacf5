"""Restoring a backup onto an empty installation, in one transaction, checked against its manifest."""

from __future__ import annotations

import hashlib
import tarfile
import tempfile
import zipfile
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.core import serializers
from django.core.files import File
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.executor import MigrationExecutor

from kiemdinh.core import storage as stored_files
from kiemdinh.devtools.backup.common import (
    CHUNK,
    FILES_DIR,
    BackupError,
    Log,
    _field_by_label,
    _quiet,
    _Reader,
    _reading,
    database_rows,
)


def _ensure_empty(connection) -> None:
    rows = database_rows(connection)
    if rows:
        sample = ", ".join(f"{label} ({n})" for label, n in list(rows.items())[:5])
        raise BackupError(
            "Cơ sở dữ liệu đã có dữ liệu nên không khôi phục đè lên được (ví dụ: "
            f"{sample}). Hãy khôi phục vào một cài đặt mới, chưa có dữ liệu (chỉ chạy ./scripts/manage migrate, "
            "không chạy ./scripts/run hay seed_demo trước). Không có gì bị thay đổi."
        )


def _check_migrations(manifest: dict, connection, log: Log) -> bool:
    """Refuse a backup made by a newer version; True when this database still has migrations to apply."""
    executor = MigrationExecutor(connection)
    known = set(executor.loader.graph.nodes)
    unknown = [
        f"{app}.{name}"
        for app, names in manifest.get("migrations", {}).items()
        for name in names
        if (app, name) not in known
    ]
    if unknown:
        raise BackupError(
            "Bản sao lưu được tạo bởi một phiên bản Kiểm định mới hơn phiên bản đang cài (có các migration "
            f"{', '.join(unknown[:5])}). Hãy cập nhật phần mềm rồi khôi phục lại. Không có gì bị thay đổi."
        )
    newer = sorted(
        f"{app}.{name}"
        for app, name in known
        if name not in manifest.get("migrations", {}).get(app, []) and app in manifest.get("migrations", {})
    )
    if newer:
        log(
            f"Lưu ý: phiên bản đang cài có {len(newer)} migration mới hơn bản sao lưu; dữ liệu được nạp theo cấu trúc mới."
        )
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _verify_members(reader: _Reader, manifest: dict) -> None:
    """Every data file and stored file of the manifest is in the archive with its SHA-256; nothing else is."""
    expected = {m["file"]: m["sha256"] for m in manifest["models"]}
    expected.update({FILES_DIR + f["name"]: f["sha256"] for f in manifest["files"]})
    seen = set()
    try:
        for name, stream in reader.members():
            if name not in expected:
                raise BackupError(f"Tệp sao lưu bị hỏng: có tệp lạ {name} không ghi trong manifest.")
            digest = hashlib.sha256()
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
            if digest.hexdigest() != expected[name]:
                raise BackupError(f"Tệp sao lưu bị hỏng: mã băm SHA-256 của {name} không khớp với manifest.")
            seen.add(name)
    except (OSError, zipfile.BadZipFile, tarfile.TarError, EOFError) as e:
        raise BackupError(f"Tệp sao lưu bị hỏng: {e}") from e
    absent = sorted(set(expected) - seen)
    if absent:
        raise BackupError(f"Tệp sao lưu thiếu {len(absent)} tệp ghi trong manifest, ví dụ {absent[0]}.")


def verify_archive(path: Path | str) -> dict:
    """Read the whole archive and check it against its manifest; returns the manifest. Touches nothing."""
    with _reading(Path(path)) as reader:
        manifest = reader.manifest()
        _verify_members(reader, manifest)
    return manifest


def _load_model(stream, entry: dict, deferred: list) -> int:
    model = apps.get_model(entry["label"])
    count = 0
    for obj in serializers.deserialize("json", stream, handle_forward_references=True):
        if obj.object.__class__ is not model:
            raise BackupError(f"Tệp sao lưu bị hỏng: {entry['file']} chứa dữ liệu của {obj.object._meta.label_lower}.")
        # An empty database: insert directly, without the UPDATE Django tries first for a row with a primary key.
        obj.save(force_insert=True)
        if obj.deferred_fields:
            deferred.append(obj)
        count += 1
    if count != entry["rows"]:
        raise BackupError(f"{entry['label']}: nạp được {count} dòng, manifest ghi {entry['rows']} dòng.")
    return count


def _reset_sequences(connection, loaded: list[type[models.Model]]) -> None:
    """Rows were inserted with their ids: move PostgreSQL's sequences past them (a no-op on SQLite)."""
    statements = connection.ops.sequence_reset_sql(no_style(), loaded)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _file_sha256(storage, name: str) -> str:
    digest = hashlib.sha256()
    with stored_files.reading(storage, name) as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _check_storage(manifest: dict) -> set[str]:
    """Names already in the storage with the same content (kept as they are); refuse any with other content."""
    present = set()
    for entry in manifest["files"]:
        storage = _field_by_label(entry["fields"][0]).storage
        if storage.exists(entry["name"]):
            if _file_sha256(storage, entry["name"]) != entry["sha256"]:
                raise BackupError(
                    f"Kho lưu trữ tệp đã có tệp {entry['name']} với nội dung khác; hãy khôi phục vào một kho trống. "
                    "Không có gì bị thay đổi."
                )
            present.add(entry["name"])
    return present


def _store(storage, entry: dict, stream) -> str:
    """Write one archived file back through the storage; the name the storage gave it.

    The member is first copied to a temporary file in CHUNK pieces: a storage may seek its source to learn its size
    and read it in large parts (8 MB on S3), and a zip member does both by decompressing again into buffers several
    times what was asked (a 30 MB file took 48 MB), where a temporary file holds nothing."""
    with tempfile.TemporaryFile() as copy:
        while chunk := stream.read(CHUNK):
            copy.write(chunk)
        copy.seek(0)
        return storage.save(entry["name"], File(copy, name=PurePosixPath(entry["name"]).name))


@dataclass
class RestoreResult:
    manifest: dict
    rows: dict[str, int]
    files: int
    migrated: bool


def restore_archive(path: Path | str, *, log: Log = _quiet) -> RestoreResult:
    """Restore a backup onto an empty installation, in one transaction, then verify row counts and file hashes.

    Refused, with nothing changed, when the database holds data, the archive does not match its manifest, or it
    comes from a newer version. Any failure after that rolls the database back and removes the files written.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    with _reading(Path(path)) as reader:
        manifest = reader.manifest()
        _ensure_empty(connection)
        pending = _check_migrations(manifest, connection, log)
        log("Đang kiểm tra tệp sao lưu (mã băm SHA-256 của từng tệp)…")
        _verify_members(reader, manifest)
        present = _check_storage(manifest)
        if pending:
            log("Cơ sở dữ liệu chưa đủ cấu trúc: đang chạy migrate…")
            call_command("migrate", interactive=False, verbosity=0)
            _ensure_empty(connection)

        entries = {m["file"]: m for m in manifest["models"]}
        files = {FILES_DIR + f["name"]: f for f in manifest["files"]}
        written: list[tuple[object, str]] = []
        try:
            with transaction.atomic(using=connection.alias):
                loaded, deferred = [], []
                with connection.constraint_checks_disabled():
                    for name, stream in reader.members():
                        if name in entries:
                            _load_model(stream, entries[name], deferred)
                            loaded.append(apps.get_model(entries[name]["label"]))
                        elif name in files and files[name]["name"] not in present:
                            entry = files[name]
                            storage = _field_by_label(entry["fields"][0]).storage
                            saved = _store(storage, entry, stream)
                            written.append((storage, saved))
                            if saved != entry["name"]:
                                raise BackupError(f"Kho lưu trữ lưu tệp {entry['name']} dưới tên khác ({saved}).")
                    for obj in deferred:
                        obj.save_deferred_fields()
                connection.check_constraints(table_names=[m._meta.db_table for m in loaded])
                _reset_sequences(connection, loaded)
                rows = _verify_restored(manifest)
        except BaseException:
            for storage, name in written:
                with suppress(Exception):
                    storage.delete(name)
            raise
    return RestoreResult(manifest=manifest, rows=rows, files=len(manifest["files"]), migrated=pending)


def _verify_restored(manifest: dict) -> dict[str, int]:
    """Row counts per model and every file's SHA-256 as the manifest says; BackupError (→ rollback) otherwise."""
    problems = []
    rows = {}
    for entry in manifest["models"]:
        model = apps.get_model(entry["label"])
        rows[entry["label"]] = model._base_manager.count()
        if rows[entry["label"]] != entry["rows"]:
            problems.append(f"{entry['label']}: {rows[entry['label']]} dòng, bản sao lưu có {entry['rows']}")
    for entry in manifest["files"]:
        storage = _field_by_label(entry["fields"][0]).storage
        if not storage.exists(entry["name"]):
            problems.append(f"thiếu tệp {entry['name']}")
        elif _file_sha256(storage, entry["name"]) != entry["sha256"]:
            problems.append(f"tệp {entry['name']} khác mã băm")
    if problems:
        raise BackupError(
            "Kết quả khôi phục không khớp với bản sao lưu, đã hoàn tác: " + "; ".join(problems[:10]) + "."
        )
    return rows
