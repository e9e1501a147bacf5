"""What a backup holds and the archive it is written to: the format, the models and stored files it covers, reading
and writing .zip and .tar.gz archives front to back."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.utils import timezone

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


# --- Rows in the database (what a backup counts and a restore checks) ---------------------------------------------


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
