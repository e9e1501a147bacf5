"""The register's items: a new item linked into a cycle with the criterion's next code and its files, an item
recorded for the school before any cycle uses it, and a change of an item's fields as one cycle shows it."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.evidence.files import check_upload
from kiemdinh.evidence.models import CycleEvidence, Evidence, EvidenceVersion
from kiemdinh.evidence.services.common import (
    EDITABLE_FIELDS,
    _audit,
    _check_criterion,
    _clean_fields,
    _cycle_link,
    _lock_cycle,
    _user,
)
from kiemdinh.evidence.services.files import _refuse_same_file_twice, _store_file
from kiemdinh.evidence.services.versions import _link_new_code, _own_version, _search_text, new_version
from kiemdinh.frameworks.models import Criterion
from kiemdinh.selfassessment.models import Cycle


@transaction.atomic
def evidence_create(
    *,
    actor,
    cycle: Cycle,
    criterion: Criterion,
    name: str,
    issue_ref: str = "",
    issued_by: str = "",
    note: str = "",
    link: str = "",
    valid_until: date | None = None,
    files=(),
) -> CycleEvidence:
    """A new school evidence item, linked into the cycle with the next free code of the criterion, with its files.

    Every file is checked (type, content, size) before anything is written; a bad one refuses the whole item.
    """
    cycle = _lock_cycle(cycle)
    criterion = _check_criterion(cycle, criterion)
    values = _clean_fields(
        {
            "name": name,
            "issue_ref": issue_ref,
            "issued_by": issued_by,
            "note": note,
            "link": link,
            "valid_until": valid_until,
        }
    )
    files = list(files or ())
    checked = [check_upload(f) for f in files]
    _refuse_same_file_twice(None, checked)
    evidence = Evidence.objects.create(school=cycle.school, created_by=_user(actor))
    version = new_version(actor=actor, evidence=evidence, cycle=cycle, values=values)
    cycle_evidence = _link_new_code(cycle, version, criterion)
    for item, uploaded in zip(checked, files, strict=True):
        _store_file(actor=actor, version=version, checked=item, uploaded_file=uploaded)
    _audit(
        actor,
        Event.EVIDENCE_CREATED,
        evidence,
        cycle,
        {"code": cycle_evidence.code, "name": version.name, "files": [c.original_name for c in checked]},
    )
    return cycle_evidence


@transaction.atomic
def evidence_record(
    *, actor, school, name: str, issue_ref: str = "", issued_by: str = "", note: str = "", files=()
) -> Evidence:
    """An item of the school that no cycle uses yet (e.g. collected while monitoring the improvement plan after the
    cycle was accepted); a later cycle links it. Files are checked before anything is written."""
    values = _clean_fields({"name": name, "issue_ref": issue_ref, "issued_by": issued_by, "note": note, "link": ""})
    files = list(files or ())
    checked = [check_upload(f) for f in files]
    _refuse_same_file_twice(None, checked)
    evidence = Evidence.objects.create(school=school, created_by=_user(actor))
    version = new_version(actor=actor, evidence=evidence, cycle=None, values=values)
    for item, uploaded in zip(checked, files, strict=True):
        _store_file(actor=actor, version=version, checked=item, uploaded_file=uploaded)
    audit.record(
        actor=actor,
        event_type=Event.EVIDENCE_RECORDED,
        obj=evidence,
        unit=school.unit,
        school=school,
        data={"name": version.name, "files": [c.original_name for c in checked]},
    )
    return evidence


@transaction.atomic
def evidence_update(*, actor, cycle_evidence: CycleEvidence, **changes) -> EvidenceVersion:
    """Change an item's name, issue number/date, issuer, note, link or validity as this cycle shows it: in the
    cycle's own version of the item (made on the first change; other cycles keep theirs). No change, no version."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"Không được sửa các trường: {', '.join(sorted(unknown))}.")
    cycle, link = _cycle_link(cycle_evidence)
    values = _clean_fields(changes)
    before = {key: getattr(link.version, key) for key in values}
    changed = {k: v for k, v in values.items() if before[k] != v}
    if not changed:
        return link.version
    version = _own_version(actor=actor, cycle=cycle, link=link)
    for key, value in changed.items():
        setattr(version, key, value)
    version.search_text = _search_text(version)
    version.save()
    _audit(
        actor,
        Event.EVIDENCE_UPDATED,
        link.evidence,
        cycle,
        {
            "code": link.code,
            "version": version.number,
            "before": {k: str(before[k]) if before[k] is not None else None for k in changed},
            "after": {k: str(v) if v is not None else None for k, v in changed.items()},
        },
    )
    return version
