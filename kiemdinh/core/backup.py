"""Backup and restore of a whole installation: one archive (.zip, or .tar.gz) with a manifest, the data and the files.

Layout of the archive, in this order (restore reads members in this order, so a .tar.gz is read front to back):

    data/NNN-<app_label>.<model>.json   Django's JSON serialisation of one model, models in dependency order
    files/<storage name>                every file a FileField refers to, read through its storage
    manifest.json                       format version, app version and commit, time, database vendor, applied
                                        migrations, per model its row count and the data file's SHA-256, per
                                        stored file its size and SHA-256

Primary keys are kept as they are: a restore goes onto an EMPTY installation, and ids live on outside foreign keys
(audit events' object_id, links in e-mails, URLs). Only references to content types and permissions are written as
natural keys, since their ids differ from one installation to another.

Included: every model of the project (with the simple_history tables) and auth groups. Left out on purpose:
contenttypes and auth permissions (recreated by `migrate`), sessions (everyone logs in again), the admin log, django-axes
login attempts (throttling state), django_tasks_db task rows (a worker's queue, not data: an export still queued
is simply asked for again) and the seconds-long claims of form submissions (kiemdinh.core.submits).

The archive is created readable and writable by its owner only (mode 0600): it holds every password hash.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.files import File
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.json import Serializer as JsonSerializer
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from kiemdinh.core import storage as stored_files

FORMAT = "kiemdinh-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA_DIR = "data/"
FILES_DIR = "files/"
CHUNK = 1024 * 1024
ARCHIVE_MODE = 0o600

# App labels, or app_label.model, that are not data of the installation (see the module docstring).
EXCLUDED = frozenset(
    {"contenttypes", "sessions", "admin", "axes", "django_tasks_db", "auth.permission", "core.submitclaim"}
)
# Foreign keys to these are written as natural keys: their ids are not the same on another installation.
NATURAL_KEY_TARGETS = (ContentType, Permission)


class BackupError(Exception):
    """A backup or restore refused or failed; the message is for the administrator (Vietnamese)."""


Log = Callable[[str], None]


def _quiet(_message: str) -> None:
    pass


# --- What is backed up ----------------------------------------------------------------------------------------------


def backup_models() -> list[type[models.Model]]:
    """Every concrete model whose rows are data of the installation, in dependency order."""
    app_list = []
    for config in apps.get_app_configs():
        if config.label in EXCLUDED:
            continue
        chosen = [
            model
            for model in config.get_models()
            if model._meta.label_lower not in EXCLUDED
            and model._meta.managed
            and not model._meta.proxy
            and not model._meta.swapped
        ]
        if chosen:
            app_list.append((config, chosen))
    return serializers.sort_dependencies(app_list, allow_cycles=True)


def file_fields(model: type[models.Model]) -> list[models.FileField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]


def _field_label(f: models.Field) -> str:
    return f"{f.model._meta.label_lower}.{f.name}"


def _field_by_label(label: str) -> models.FileField:
    app_label, model_name, field_name = label.split(".")
    return apps.get_model(app_label, model_name)._meta.get_field(field_name)


class _ExactEncoder(DjangoJSONEncoder):
    """Django's encoder cuts datetimes and times to milliseconds (ECMA-262); a backup keeps the microseconds."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time) and o.microsecond:
            return o.isoformat()
        return super().default(o)


class _Serializer(JsonSerializer):
    """Django's JSON serialiser, with natural keys only for references to content types and permissions."""

    def _init_options(self):
        super()._init_options()
        self.json_kwargs["cls"] = _ExactEncoder

    def handle_fk_field(self, obj, field):
        self.use_natural_foreign_keys = issubclass(field.remote_field.model, NATURAL_KEY_TARGETS)
        super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj, field):
        self.use_natural_foreign_keys = issubclass(field.remote_field.model, NATURAL_KEY_TARGETS)
        super().handle_m2m_field(obj, field)


def _applied_migrations(connection) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app_label, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app_label, []).append(name)
    return applied


def _commit() -> str | None:
    """The checkout's commit, read from .git without running git; None where there is no checkout."""
    git = Path(settings.BASE_DIR) / ".git"
    with suppress(OSError, ValueError):
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head or None
        ref = head[5:]
        if (git / ref).is_file():
            return (git / ref).read_text().strip() or None
        for line in (git / "packed-refs").read_text().splitlines():
            if line.endswith(" " + ref):
                return line.split(" ", 1)[0]
    return None


def _app_version() -> str | None:
    try:
        return metadata.version("kiemdinh")
    except metadata.PackageNotFoundError:
        return None


# --- Archives ---------------------------------------------------------------------------------------------------------


def archive_kind(path: Path | str) -> str:
    name = str(path).lower()
    if name.endswith((".tar.gz", ".tgz")):
        return "tar.gz"
    if name.endswith(".zip"):
        return "zip"
    raise BackupError(f"Tên tệp sao lưu phải kết thúc bằng .zip hoặc .tar.gz: {path}")


class _HashingReader:
    """Wraps a binary stream; counts and hashes what is read through it."""

    def __init__(self, stream):
        self.stream = stream
        self.sha256 = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self.stream.read(n)
        self.sha256.update(data)
        self.size += len(data)
        return data


class _Writer:
    def __init__(self, path: Path, kind: str):
        self.kind = kind
        # Readable by the owner only (0600), whatever the umask: the archive holds every password hash and document.
        # Created so from the start (O_CREAT with the mode, O_EXCL: a file left at that path is replaced, never reused
        # with its old permissions), never made private after being written.
        path.unlink(missing_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, ARCHIVE_MODE)
        os.fchmod(descriptor, ARCHIVE_MODE)  # the umask can only remove bits; this also undoes an ACL's default
        self.file = os.fdopen(descriptor, "wb")
        if kind == "zip":
            self.zip = zipfile.ZipFile(self.file, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True)
        else:
            self.tar = tarfile.open(fileobj=self.file, mode="w:gz", format=tarfile.PAX_FORMAT)  # noqa: SIM115

    def add_stream(self, name: str, stream, size: int) -> tuple[str, int]:
        """Copy `size` bytes of a stream into the archive; returns their SHA-256 and the byte count."""
        reader = _HashingReader(stream)
        if self.kind == "zip":
            with self.zip.open(name, "w", force_zip64=True) as out:
                while chunk := reader.read(CHUNK):
                    out.write(chunk)
        else:
            info = tarfile.TarInfo(name)
            info.size = size
            info.mtime = int(timezone.now().timestamp())
            self.tar.addfile(info, reader)
        return reader.sha256.hexdigest(), reader.size

    def add_bytes(self, name: str, data: bytes) -> None:
        self.add_stream(name, io.BytesIO(data), len(data))

    def close(self) -> None:
        try:
            (self.zip if self.kind == "zip" else self.tar).close()
        finally:
            self.file.close()


class _Reader:
    """Reads an archive member by member, in the order they were written."""

    def __init__(self, path: Path):
        self.kind = archive_kind(path)
        try:
            if self.kind == "zip":
                self.zip = zipfile.ZipFile(path)
            else:
                self.tar = tarfile.open(path, "r:gz")  # noqa: SIM115 (closed in close())
        except (OSError, zipfile.BadZipFile, tarfile.TarError, EOFError) as e:
            raise BackupError(f"Không đọc được tệp sao lưu {path}: {e}") from e

    def manifest(self) -> dict:
        try:
            if self.kind == "zip":
                raw = self.zip.read(MANIFEST)
            else:
                member = self.tar.extractfile(MANIFEST)
                raw = member.read() if member else b""
            manifest = json.loads(raw)
        except (KeyError, ValueError, OSError, zipfile.BadZipFile, tarfile.TarError, EOFError) as e:
            raise BackupError("Tệp này không phải bản sao lưu của Kiểm định (thiếu hoặc hỏng manifest.json).") from e
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise BackupError("Tệp này không phải bản sao lưu của Kiểm định.")
        if manifest.get("format_version") != FORMAT_VERSION:
            raise BackupError(
                f"Bản sao lưu theo định dạng phiên bản {manifest.get('format_version')}; phiên bản này chỉ đọc được "
                f"định dạng {FORMAT_VERSION}."
            )
        return manifest

    def members(self) -> Iterator[tuple[str, object]]:
        """(name, binary stream) of every member except the manifest, in archive order."""
        try:
            if self.kind == "zip":
                for info in self.zip.infolist():
                    if info.filename != MANIFEST and not info.is_dir():
                        with self.zip.open(info) as stream:
                            yield info.filename, stream
            else:
                for info in self.tar:
                    if info.name != MANIFEST and info.isfile():
                        yield info.name, self.tar.extractfile(info)
        except (OSError, zipfile.BadZipFile, tarfile.TarError, EOFError) as e:
            raise BackupError(f"Tệp sao lưu bị hỏng: {e}") from e

    def close(self) -> None:
        (self.zip if self.kind == "zip" else self.tar).close()


@contextmanager
def _reading(path: Path):
    reader = _Reader(path)
    try:
        yield reader
    finally:
        reader.close()


# --- Backup -------------------------------------------------------------------------------------------------------


def _stored_files(log: Log) -> tuple[dict[str, dict], list[dict]]:
    """{storage name: {"fields": [...]}} of every file a FileField refers to, and the rows whose file is gone."""
    found: dict[str, dict] = {}
    for model in backup_models():
        for f in file_fields(model):
            names = model._base_manager.exclude(**{f.attname: ""}).exclude(**{f"{f.attname}__isnull": True})
            for pk, name in names.values_list("pk", f.attname).order_by("pk").iterator():
                entry = found.setdefault(name, {"fields": [], "rows": []})
                if _field_label(f) not in entry["fields"]:
                    entry["fields"].append(_field_label(f))
                entry["rows"].append((model._meta.label_lower, pk))
    missing = []
    for name, entry in list(found.items()):
        storage = _field_by_label(entry["fields"][0]).storage
        if not storage.exists(name):
            missing += [{"name": name, "model": label, "pk": pk} for label, pk in entry.pop("rows")]
            del found[name]
            log(f"Cảnh báo: không tìm thấy tệp {name} trong kho lưu trữ; bản sao lưu sẽ không có tệp này.")
        else:
            entry.pop("rows")
    return found, missing


def _dump_model(model, out) -> int:
    """Write one model's rows as a JSON array to a binary stream; returns the row count."""
    count = 0

    def counted():
        nonlocal count
        for obj in model._base_manager.order_by("pk").iterator(chunk_size=2000):
            count += 1
            yield obj

    text = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    _Serializer().serialize(counted(), stream=text, indent=None, ensure_ascii=False)
    text.flush()
    text.detach()
    return count


@dataclass
class BackupResult:
    path: Path
    manifest: dict
    missing: list[dict] = field(default_factory=list)


def backup_create(path: Path | str, *, log: Log = _quiet) -> BackupResult:
    """Write one archive of the whole installation to `path` (written beside it, then renamed into place)."""
    path = Path(path)
    kind = archive_kind(path)
    connection = connections[DEFAULT_DB_ALIAS]
    partial = path.with_name(path.name + ".dang-ghi")
    manifest: dict = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "app_version": _app_version(),
        "commit": _commit(),
        "created_at": timezone.now().isoformat(),
        "database_vendor": connection.vendor,
        "migrations": _applied_migrations(connection),
        "models": [],
        "row_counts": {},
        "files": [],
        "missing_files": [],
    }
    writer = _Writer(partial, kind)
    try:
        # One read transaction: on PostgreSQL the rows and the file list are one consistent snapshot.
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if connection.vendor == "postgresql" and outermost:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            for position, model in enumerate(backup_models(), start=1):
                label = model._meta.label_lower
                with tempfile.TemporaryFile() as buffer:
                    rows = _dump_model(model, buffer)
                    size = buffer.tell()
                    buffer.seek(0)
                    member = f"{DATA_DIR}{position:03d}-{label}.json"
                    sha256, _ = writer.add_stream(member, buffer, size)
                manifest["models"].append({"label": label, "file": member, "rows": rows, "sha256": sha256})
                manifest["row_counts"][label] = rows
            stored, manifest["missing_files"] = _stored_files(log)
        for name in sorted(stored):
            entry = stored[name]
            storage = _field_by_label(entry["fields"][0]).storage
            with stored_files.reading(storage, name) as stream:
                sha256, size = writer.add_stream(FILES_DIR + name, stream, storage.size(name))
            manifest["files"].append({"name": name, "size": size, "sha256": sha256, "fields": entry["fields"]})
        writer.add_bytes(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
        writer.close()
        partial.replace(path)
    except BaseException:
        with suppress(Exception):
            writer.close()
        partial.unlink(missing_ok=True)
        raise
    return BackupResult(path=path, manifest=manifest, missing=manifest["missing_files"])


# --- Restore --------------------------------------------------------------------------------------------------------


def _existing_tables(connection) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def database_rows(connection=None) -> dict[str, int]:
    """The models (of those backed up) that hold rows today, with their counts; tables not yet created are skipped."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    tables = _existing_tables(connection)
    return {
        model._meta.label_lower: model._base_manager.count()
        for model in backup_models()
        if model._meta.db_table in tables and model._base_manager.exists()
    }


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
            from django.core.management import call_command

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
