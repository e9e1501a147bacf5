"""An item's files: their bytes stored once per school (identical bytes reuse the stored file), the same bytes refused
twice on one item, a file added to or removed from the version a cycle cites, and stored bytes deleted after commit
once no file row uses them."""

from django.core.exceptions import ValidationError
from django.db import transaction

from kiemdinh.core.audit import Event
from kiemdinh.evidence.files import CheckedUpload, check_upload
from kiemdinh.evidence.models import CycleEvidence, EvidenceFile, EvidenceVersion
from kiemdinh.evidence.services.common import _audit, _cycle_link, _user
from kiemdinh.evidence.services.versions import _own_version


def _store_file(*, actor, version: EvidenceVersion, checked: CheckedUpload, uploaded_file) -> EvidenceFile:
    """Save the bytes through the storage API, once per school: identical bytes reuse the stored file."""
    row = EvidenceFile(
        version=version,
        sha256=checked.sha256,
        size=checked.size,
        original_name=checked.original_name,
        content_type=checked.content_type,
        uploaded_by=_user(actor),
    )
    same = (
        EvidenceFile.objects.filter(version__evidence__school_id=version.evidence.school_id, sha256=checked.sha256)
        .exclude(file="")
        .first()
    )
    if same is not None and same.file.storage.exists(same.file.name):
        row.file.name = same.file.name
    else:
        row.file.save(checked.stored_name, uploaded_file, save=False)
    row.save()
    return row


def _refuse_same_file_twice(version: EvidenceVersion | None, checked: list[CheckedUpload]) -> None:
    seen: dict[str, str] = {}
    for item in checked:
        if item.sha256 in seen:
            raise ValidationError(f"Tệp “{item.original_name}” trùng nội dung với tệp “{seen[item.sha256]}”.")
        seen[item.sha256] = item.original_name
    if version is not None and version.pk:
        existing = dict(
            EvidenceFile.objects.filter(version=version, sha256__in=list(seen)).values_list("sha256", "original_name")
        )
        for item in checked:
            if item.sha256 in existing:
                raise ValidationError(
                    f"Tệp “{item.original_name}” đã có trong minh chứng này (tệp “{existing[item.sha256]}”)."
                )


def _delete_file_row(row: EvidenceFile) -> None:
    """Delete a file row; the stored bytes go too, after commit, unless another row still uses them."""
    name = row.file.name
    storage = row.file.storage
    row.delete()
    if name and not EvidenceFile.objects.filter(file=name).exists():
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def evidence_file_add(*, actor, cycle_evidence: CycleEvidence, uploaded_file) -> EvidenceFile:
    """Attach one file to an item as the link's cycle shows it (in the cycle's own version, see evidence_update).
    The same bytes twice on one item are refused."""
    cycle, link = _cycle_link(cycle_evidence)
    checked = check_upload(uploaded_file)
    _refuse_same_file_twice(link.version, [checked])
    version = _own_version(actor=actor, cycle=cycle, link=link)
    row = _store_file(actor=actor, version=version, checked=checked, uploaded_file=uploaded_file)
    _audit(
        actor,
        Event.EVIDENCE_FILE_ADDED,
        row,
        cycle,
        {
            "evidence": link.evidence_id,
            "code": link.code,
            "version": version.number,
            "name": row.original_name,
            "sha256": row.sha256,
            "size": row.size,
        },
    )
    return row


@transaction.atomic
def evidence_file_remove(*, actor, cycle_evidence: CycleEvidence, evidence_file: EvidenceFile) -> None:
    """Remove a file from an item as the link's cycle shows it. Other cycles' versions keep the file (and its bytes
    stay stored while any version holds them)."""
    cycle, link = _cycle_link(cycle_evidence)
    if evidence_file.version_id != link.version_id:
        raise ValidationError("Tệp này không thuộc minh chứng trong đợt tự đánh giá đang làm việc.")
    name, sha256 = evidence_file.original_name, evidence_file.sha256
    version = _own_version(actor=actor, cycle=cycle, link=link)
    row = version.files.filter(sha256=sha256, original_name=name).order_by("id").first()
    _delete_file_row(row)
    _audit(
        actor,
        Event.EVIDENCE_FILE_REMOVED,
        link.evidence,
        cycle,
        {"code": link.code, "version": version.number, "file": row.pk, "name": name},
    )
