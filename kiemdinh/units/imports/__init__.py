"""Import of administrative units, schools and accounts (officers, principals) from Excel (.xlsx) or CSV.

Two steps, so nothing reaches the tree before a person has looked at it:
``batches.import_batch_prepare`` reads the file (kiemdinh.core.tabular: caps checked before parsing, outside any
transaction), normalises and checks every row and stores what the preview shows (errors included, over-long values cut)
as an ImportBatch; ``batches.import_batch_commit`` checks the stored rows again against the database as it is now and
creates everything through the ordinary services in one transaction, or nothing at all.

A person has at most one batch waiting for confirmation; it expires after KIEMDINH_IMPORT_PENDING_HOURS, and a
discarded or expired batch keeps no rows (``batches.import_batches_purge``, run by ``manage.py purge_imports``).

Row numbers in messages are the ones the user sees in Excel (the header is row 1).

The modules, in the order a file goes through them:
- ``columns``: the columns of each kind of list (labels, aliases, limits, help for the template);
- ``parsing``: the header row matched to the columns, the rows as dicts, the words users type for kinds and types;
- ``checks``: every row checked against the file itself and the database (reads only);
- ``pending``: the batch a person has waiting, and when a batch expires (reads);
- ``batches``: prepare, commit, discard and purge a batch (the writes);
- ``template``: the .xlsx template offered for download.
"""
