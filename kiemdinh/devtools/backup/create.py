"""Writing a backup: every model's rows as JSON, every stored file, then the manifest."""

from __future__ import annotations

import datetime
import io
import json
import tempfile
from contextlib import suppress
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.json import Serializer as JsonSerializer
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from kiemdinh.core import storage as stored_files
from kiemdinh.devtools.backup.common import (
    DATA_DIR,
    FILES_DIR,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    NATURAL_KEY_TARGETS,
    Log,
    _field_by_label,
    _field_label,
    _quiet,
    _Writer,
    archive_kind,
    backup_models,
    file_fields,
)


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
