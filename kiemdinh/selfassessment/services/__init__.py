"""Writes of the self-assessment: keyword-only, one transaction, one audit event each.

- `cycles`: a cycle itself (create, the editable check, its lock, ratings, status);
- `forms`: criterion and Mức 4 forms (save with a version check, drafts, copy, merge);
- `texts`: the report's narrative parts and the Phần I statistics.

Opening a cycle as a user does (with carry-over) and its transitions are `workflow.services`; the council, plan and
worksheet are `council.services`.
"""

from kiemdinh.selfassessment.services.cycles import (
    cycle_create,
    cycle_lock,
    cycle_record_ratings,
    cycle_set_status,
    ensure_editable,
)
from kiemdinh.selfassessment.services.forms import (
    FormConflict,
    criterion_form_save,
    criterion_forms_copy,
    form_draft_discard,
    form_draft_save,
    form_text_keys,
    form_texts_merge,
)
from kiemdinh.selfassessment.services.texts import report_texts_save, school_statistics_save

__all__ = [
    "FormConflict",
    "criterion_form_save",
    "criterion_forms_copy",
    "cycle_create",
    "cycle_lock",
    "cycle_record_ratings",
    "cycle_set_status",
    "ensure_editable",
    "form_draft_discard",
    "form_draft_save",
    "form_text_keys",
    "form_texts_merge",
    "report_texts_save",
    "school_statistics_save",
]
