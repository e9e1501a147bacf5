"""Import of an evidence catalogue (Bảng danh mục mã minh chứng, Phụ lục 4 / TT57 Phụ lục IV) from Excel or CSV.

The catalogue lists items under criterion heading rows ("Tiêu chuẩn 1: …", "Tiêu chí 1.1: …"). An item whose code
belongs to another criterion than its heading is that item cited again (shared evidence keeps its first code).

Two steps, like the units import: ``evidence_import_prepare`` reads (kiemdinh.core.tabular: caps checked before
parsing, outside any transaction) and checks the file and keeps what the preview shows and every error in an
EvidenceImportBatch; ``evidence_import_commit`` checks the rows again against the cycle as it is now and writes
everything in one transaction, or nothing. Row numbers are the ones Excel shows.

A person has at most one catalogue waiting for confirmation; it expires after KIEMDINH_IMPORT_PENDING_HOURS, and a
discarded or expired batch keeps no rows (``evidence_import_batches_purge``, run by ``manage.py purge_imports``).

The modules, in the order a file goes through them:
- ``parsing``: the catalogue's columns, the header row found and the lines read as headings, items or other lines;
- ``checks``: every row checked against the cycle's framework and register (reads only);
- ``preview``: the rows as stored for the preview, the person's waiting batch, expiry, the rows with errors (reads);
- ``batches``: prepare, commit, discard and purge a batch (the writes);
- ``template``: the .xlsx form offered for download.

The public names are re-exported here, for the evidence views, the ``purge_imports`` command and the tests.
"""

from kiemdinh.evidence.imports.batches import (
    evidence_import_batches_purge,
    evidence_import_commit,
    evidence_import_discard,
    evidence_import_prepare,
)
from kiemdinh.evidence.imports.checks import Plan, check_rows
from kiemdinh.evidence.imports.parsing import columns_for, parse_table
from kiemdinh.evidence.imports.preview import error_row_count, is_expired, pending_batch, preview_rows
from kiemdinh.evidence.imports.template import template_workbook

__all__ = [
    "Plan",
    "check_rows",
    "columns_for",
    "error_row_count",
    "evidence_import_batches_purge",
    "evidence_import_commit",
    "evidence_import_discard",
    "evidence_import_prepare",
    "is_expired",
    "parse_table",
    "pending_batch",
    "preview_rows",
    "template_workbook",
]
