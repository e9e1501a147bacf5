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

from kiemdinh.devtools.backup.common import MANIFEST, BackupError, backup_models, database_rows, file_fields
from kiemdinh.devtools.backup.create import BackupResult, backup_create
from kiemdinh.devtools.backup.restore import RestoreResult, restore_archive, verify_archive

__all__ = [
    "MANIFEST",
    "BackupError",
    "BackupResult",
    "RestoreResult",
    "backup_create",
    "backup_models",
    "database_rows",
    "file_fields",
    "restore_archive",
    "verify_archive",
]
