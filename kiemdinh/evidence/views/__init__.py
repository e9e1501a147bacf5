"""Screens of the evidence register: list and search, add (with reuse of identical files), item page, downloads,
catalogue import and the health check. Every view loads its cycle through selfassessment.access.access_cycle, and an
item or an import batch through evidence.access (as a child of that cycle).

- register.py: the list and search, adding, reusing and carrying over items, the health check;
- item.py: one item's page, its files and citations, taking it out, downloading a file;
- catalogue.py: the catalogue import (upload, template, preview, confirm, discard);
- common.py: the htmx test, the page context and the refusal text the screens share.

The views are re-exported here for urls.py (``views.<name>``).
"""

from kiemdinh.evidence.views.catalogue import (
    import_commit,
    import_discard,
    import_preview,
    import_start,
    import_template,
)
from kiemdinh.evidence.views.item import (
    evidence_cite_view,
    evidence_detail,
    evidence_download,
    evidence_file_add_view,
    evidence_file_remove_view,
    evidence_remove_view,
    evidence_uncite_view,
)
from kiemdinh.evidence.views.register import (
    evidence_add,
    evidence_carry_over_view,
    evidence_health,
    evidence_list,
    evidence_reuse,
)

__all__ = [
    "evidence_add",
    "evidence_carry_over_view",
    "evidence_cite_view",
    "evidence_detail",
    "evidence_download",
    "evidence_file_add_view",
    "evidence_file_remove_view",
    "evidence_health",
    "evidence_list",
    "evidence_remove_view",
    "evidence_reuse",
    "evidence_uncite_view",
    "import_commit",
    "import_discard",
    "import_preview",
    "import_start",
    "import_template",
]
