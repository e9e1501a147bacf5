"""Writes of the evidence register (minh chứng).

An Evidence item belongs to the school; a CycleEvidence links it into one cycle with a code and cites one of its
versions (its fields and files). Items are linked, never copied: reusing an item under another criterion adds a
citation and keeps its first code, and a new cycle links last year's items with the same codes and versions. A change
made from a cycle goes to a version of that cycle's own (`_own_version`): the version another cycle cites — above all
a submitted or accepted one — never changes. Every write locks the cycle row and refuses when the cycle is not
editable.
"""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max

from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.core.bounds import date_problem
from kiemdinh.core.text import clean, clean_name, fold
from kiemdinh.evidence.files import CheckedUpload, check_upload
from kiemdinh.evidence.models import CycleEvidence, Evidence, EvidenceCitation, EvidenceFile, EvidenceVersion
from kiemdinh.frameworks.choices import Regime
from kiemdinh.frameworks.evidence_codes import default_box, find_codes, format_code
from kiemdinh.frameworks.models import Criterion
from kiemdinh.selfassessment.models import CriterionForm, Cycle
from kiemdinh.selfassessment.services import cycle_lock, ensure_editable

EDITABLE_FIELDS = ("name", "issue_ref", "issued_by", "note", "link", "valid_until")
MAX_LENGTHS = {"name": 1000, "issue_ref": 300, "issued_by": 300, "link": 1000}
_url_validator = URLValidator(schemes=["http", "https"])


# --- Helpers -------------------------------------------------------------------------------------------------


def _lock_cycle(cycle: Cycle) -> Cycle:
    """Serialise writes of one cycle's register (codes are allocated as max + 1) and re-read its status."""
    locked = cycle_lock(cycle)
    ensure_editable(locked)
    return locked


def _check_criterion(cycle: Cycle, criterion: Criterion | None) -> Criterion:
    if criterion is None:
        raise ValidationError({"criterion": "Hãy chọn tiêu chí."})
    if criterion.version_id != cycle.framework_id:
        raise ValidationError(
            {"criterion": f"Tiêu chí {criterion.code} không thuộc bộ tiêu chuẩn của đợt tự đánh giá này."}
        )
    return criterion


def _clean_fields(values: dict) -> dict:
    """NFC, trimmed, length-checked fields of an item; a Vietnamese ValidationError per bad field."""
    cleaned, errors = {}, {}
    for key, value in values.items():
        if key == "valid_until":
            if value is not None and not isinstance(value, date):
                errors[key] = "Ngày hiệu lực không hợp lệ (ghi theo dạng ngày/tháng/năm)."
            elif problem := date_problem(value, "Hiệu lực đến"):
                errors[key] = problem
            cleaned[key] = value
            continue
        text = (clean_name if key == "name" else clean)(value)  # NFC, no bidi controls; invisible-only is empty
        limit = MAX_LENGTHS.get(key)
        if limit and len(text) > limit:
            errors[key] = f"Dài quá {limit} ký tự (hiện có {len(text)})."
        cleaned[key] = text
    if "name" in cleaned and not cleaned["name"]:
        errors["name"] = "Thiếu tên minh chứng."
    if cleaned.get("link") and "link" not in errors:
        try:
            _url_validator(cleaned["link"])
        except ValidationError:
            errors["link"] = "Đường dẫn không hợp lệ: hãy ghi đầy đủ, bắt đầu bằng http:// hoặc https://."
    if errors:
        raise ValidationError(errors)
    return cleaned


def _search_text(version: EvidenceVersion) -> str:
    return fold(f"{version.name} {version.issue_ref} {version.issued_by} {version.note}")


def _audit(actor, event_type: Event, obj, cycle: Cycle, data: dict) -> None:
    audit.record(
        actor=actor,
        event_type=event_type,
        obj=obj,
        unit=cycle.school.unit,
        school=cycle.school,
        data={"cycle": cycle.pk, **data},
    )


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def next_sequence(cycle: Cycle, criterion: Criterion) -> int:
    """The next free sequence number for items first collected for this criterion in this cycle."""
    current = CycleEvidence.objects.filter(cycle=cycle, criterion=criterion).aggregate(m=Max("sequence"))["m"]
    return (current or 0) + 1


def _link_new_code(cycle: Cycle, version: EvidenceVersion, criterion: Criterion) -> CycleEvidence:
    sequence = next_sequence(cycle, criterion)
    box = default_box(criterion.code)
    taken = set(CycleEvidence.objects.filter(cycle=cycle, criterion=criterion).values_list("code", flat=True))
    code = format_code(cycle.regime, criterion.code, sequence, box=box)
    while code in taken:  # only possible with hand-made codes of another box
        sequence += 1
        code = format_code(cycle.regime, criterion.code, sequence, box=box)
    return CycleEvidence.objects.create(
        cycle=cycle,
        evidence_id=version.evidence_id,
        version=version,
        code=code,
        box=box if cycle.regime == Regime.R2018 else None,
        criterion=criterion,
        sequence=sequence,
    )


def new_version(*, actor, evidence: Evidence, cycle: Cycle | None, values: dict) -> EvidenceVersion:
    """The item's next version (numbers grow by one; the item row is locked so two cycles cannot take the same)."""
    Evidence.objects.select_for_update().filter(pk=evidence.pk).first()
    last = evidence.versions.aggregate(m=Max("number"))["m"] or 0
    version = EvidenceVersion(evidence=evidence, number=last + 1, cycle=cycle, created_by=_user(actor), **values)
    version.search_text = _search_text(version)
    version.save()
    return version


def _own_version(*, actor, cycle: Cycle, link: CycleEvidence) -> EvidenceVersion:
    """The version an edit from `cycle` may change: the link's own when it was made in this cycle and no other link
    cites it; else a copy (fields, and file rows pointing at the same bytes) made for this cycle, which the link then
    cites. The version left behind keeps what every other cycle (a submitted or accepted one above all) shows."""
    version = link.version
    shared = CycleEvidence.objects.filter(version=version).exclude(pk=link.pk).exists()
    if version.cycle_id == cycle.pk and not shared:
        return version
    copy = new_version(
        actor=actor,
        evidence=link.evidence,
        cycle=cycle,
        values={f: getattr(version, f) for f in EDITABLE_FIELDS},
    )
    EvidenceFile.objects.bulk_create(
        EvidenceFile(
            version=copy,
            file=row.file.name,
            sha256=row.sha256,
            size=row.size,
            original_name=row.original_name,
            content_type=row.content_type,
            uploaded_by=row.uploaded_by,
        )
        for row in version.files.order_by("id")
    )
    link.version = copy
    link.save(update_fields=["version"])
    return copy


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


def _kept_elsewhere(evidence: Evidence) -> bool:
    """Whether a row outside the register still refers to the item (an improvement plan's result or review, an
    external evaluation registration): such an item is kept when its last cycle link goes. Read from the model's
    reverse relations, so the apps above this one need not be imported here."""
    for relation in Evidence._meta.related_objects:
        if relation.related_model in (EvidenceVersion, CycleEvidence):
            continue
        if relation.related_model._default_manager.filter(**{relation.field.name: evidence}).exists():
            return True
    return False


def _forms_citing(cycle: Cycle, code: str) -> list[str]:
    labels = []
    forms = CriterionForm.objects.filter(cycle=cycle).select_related("criterion", "level4_item")
    for form in forms:
        if code in find_codes(form.all_text()):
            labels.append(
                f"tiêu chí {form.criterion.code}" if form.criterion_id else f"tiêu chí Mức 4 số {form.level4_item.code}"
            )
    return labels


def _cycle_link(cycle_evidence: CycleEvidence) -> tuple[Cycle, CycleEvidence]:
    """Lock the cycle of a link and re-read the link (it may have gone meanwhile)."""
    cycle = _lock_cycle(cycle_evidence.cycle)
    try:
        link = CycleEvidence.objects.select_related("evidence", "version", "criterion").get(
            pk=cycle_evidence.pk, cycle=cycle
        )
    except CycleEvidence.DoesNotExist:
        raise ValidationError("Minh chứng này không còn trong đợt tự đánh giá.") from None
    return cycle, link


# --- Items ---------------------------------------------------------------------------------------------------


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


# --- Citations and reuse -------------------------------------------------------------------------------------


@transaction.atomic
def evidence_cite(*, actor, cycle_evidence: CycleEvidence, criterion: Criterion) -> EvidenceCitation | None:
    """List the item under another criterion too (it keeps its code). Its own criterion, or a repeat: no change."""
    cycle, link = _cycle_link(cycle_evidence)
    criterion = _check_criterion(cycle, criterion)
    if criterion.pk == link.criterion_id:
        return None
    citation, created = EvidenceCitation.objects.get_or_create(cycle_evidence=link, criterion=criterion)
    if created:
        _audit(actor, Event.EVIDENCE_CITED, link, cycle, {"code": link.code, "criterion": criterion.code})
    return citation


@transaction.atomic
def evidence_uncite(*, actor, cycle_evidence: CycleEvidence, criterion: Criterion) -> None:
    cycle, link = _cycle_link(cycle_evidence)
    deleted, _ = EvidenceCitation.objects.filter(cycle_evidence=link, criterion=criterion).delete()
    if not deleted:
        raise ValidationError(f"Minh chứng {link.code} không được dùng cho tiêu chí {criterion.code}.")
    _audit(actor, Event.EVIDENCE_UNCITED, link, cycle, {"code": link.code, "criterion": criterion.code})


@transaction.atomic
def evidence_link_existing(*, actor, cycle: Cycle, evidence: Evidence, criterion: Criterion) -> CycleEvidence:
    """Reuse one of the school's items for a criterion of this cycle: a citation when the item is already in the
    cycle (it keeps its code), else a link with the criterion's next code, citing the item's latest version."""
    cycle = _lock_cycle(cycle)
    criterion = _check_criterion(cycle, criterion)
    if evidence.school_id != cycle.school_id:
        raise ValidationError("Minh chứng này không thuộc trường của đợt tự đánh giá.")
    link = CycleEvidence.objects.filter(cycle=cycle, evidence=evidence).select_related("criterion").first()
    if link is not None:
        if link.criterion_id != criterion.pk:
            _, created = EvidenceCitation.objects.get_or_create(cycle_evidence=link, criterion=criterion)
            if created:
                _audit(actor, Event.EVIDENCE_CITED, link, cycle, {"code": link.code, "criterion": criterion.code})
        return link
    link = _link_new_code(cycle, evidence.latest_version(), criterion)
    _audit(actor, Event.EVIDENCE_LINKED, evidence, cycle, {"code": link.code, "criterion": criterion.code})
    return link


@transaction.atomic
def evidence_remove_from_cycle(*, actor, cycle_evidence: CycleEvidence) -> None:
    """Take an item out of the cycle's register, unless a criterion form cites its code. The item itself (and its
    files) is deleted only when no other cycle and no improvement plan or registration uses it; the cycle's own
    version of it goes when nothing else cites that version."""
    cycle, link = _cycle_link(cycle_evidence)
    citing = _forms_citing(cycle, link.code)
    if citing:
        raise ValidationError(
            f"Không thể gỡ minh chứng {link.code} vì mã này đang được trích dẫn trong phiếu đánh giá "
            f"{', '.join(citing)}. Hãy xóa trích dẫn trong phiếu trước."
        )
    evidence, version = link.evidence, link.version
    data = {"code": link.code, "name": version.name}
    link.delete()
    if not CycleEvidence.objects.filter(evidence=evidence).exists() and not _kept_elsewhere(evidence):
        for row in list(EvidenceFile.objects.filter(version__evidence=evidence)):
            _delete_file_row(row)
        evidence_pk = evidence.pk
        evidence.delete()
        evidence.pk = evidence_pk  # for the audit record's object id
        data["deleted"] = True
    elif (
        version.cycle_id == cycle.pk
        and not CycleEvidence.objects.filter(version=version).exists()
        and evidence.versions.exclude(pk=version.pk).exists()
    ):
        # The cycle's own version, cited nowhere else now: it goes (other versions stay with their cycles).
        for row in list(version.files.all()):
            _delete_file_row(row)
        version.delete()
    _audit(actor, Event.EVIDENCE_REMOVED, evidence, cycle, data)


# --- Carry-over ----------------------------------------------------------------------------------------------


@dataclass
class CarryOverResult:
    linked: list[str] = field(default_factory=list)  # codes linked into the target
    already: list[str] = field(default_factory=list)  # items the target had already
    skipped: list[dict] = field(default_factory=list)  # {"code", "criterion", "reason"}
    citations: int = 0


@transaction.atomic
def evidence_carry_over(*, actor, source: Cycle, target: Cycle) -> CarryOverResult:
    """Link every item of `source` into `target` with the same code, box, criterion (by code), sequence and version,
    and copy its citations. Files are shared, never copied; the source cycle is only read, and an edit made later in
    `target` gives it a version of its own (see `_own_version`)."""
    target = _lock_cycle(target)
    if source.pk == target.pk:
        raise ValidationError("Không thể kế thừa minh chứng từ chính đợt này.")
    if source.school_id != target.school_id:
        raise ValidationError("Chỉ kế thừa được minh chứng từ một đợt tự đánh giá của cùng trường.")
    criteria = {c.code: c for c in Criterion.objects.filter(version_id=target.framework_id)}
    existing = dict(CycleEvidence.objects.filter(cycle=target).values_list("evidence_id", "code"))
    taken_codes = set(existing.values())
    result = CarryOverResult()
    links = (
        CycleEvidence.objects.filter(cycle=source)
        .select_related("criterion")
        .prefetch_related("citations__criterion")
        .order_by("criterion__position", "sequence", "id")
    )
    new_links: dict[int, CycleEvidence] = {}  # source link id → target link
    for link in links:
        if link.evidence_id in existing:
            result.already.append(existing[link.evidence_id])
            continue
        criterion = criteria.get(link.criterion.code)
        if criterion is None:
            result.skipped.append(
                {
                    "code": link.code,
                    "criterion": link.criterion.code,
                    "reason": f"Tiêu chí {link.criterion.code} không có trong bộ tiêu chuẩn của đợt mới.",
                }
            )
            continue
        if link.code in taken_codes:
            result.skipped.append(
                {
                    "code": link.code,
                    "criterion": link.criterion.code,
                    "reason": f"Mã {link.code} đã được dùng cho một minh chứng khác trong đợt mới.",
                }
            )
            continue
        new_links[link.pk] = CycleEvidence.objects.create(
            cycle=target,
            evidence_id=link.evidence_id,
            version_id=link.version_id,
            code=link.code,
            box=link.box,
            criterion=criterion,
            sequence=link.sequence,
        )
        taken_codes.add(link.code)
        result.linked.append(link.code)
    citations = []
    for link in links:
        target_link = new_links.get(link.pk)
        if target_link is None:
            continue
        for citation in link.citations.all():
            criterion = criteria.get(citation.criterion.code)
            if criterion is None:
                result.skipped.append(
                    {
                        "code": link.code,
                        "criterion": citation.criterion.code,
                        "reason": f"Trích dẫn cho tiêu chí {citation.criterion.code} bị bỏ qua: tiêu chí này không "
                        "có trong bộ tiêu chuẩn của đợt mới.",
                    }
                )
                continue
            if criterion.pk != target_link.criterion_id:
                citations.append(EvidenceCitation(cycle_evidence=target_link, criterion=criterion))
    EvidenceCitation.objects.bulk_create(citations)
    result.citations = len(citations)
    _audit(
        actor,
        Event.EVIDENCE_CARRIED_OVER,
        target,
        target,
        {
            "source": source.pk,
            "linked": len(result.linked),
            "already": len(result.already),
            "skipped": result.skipped,
            "citations": result.citations,
        },
    )
    return result
