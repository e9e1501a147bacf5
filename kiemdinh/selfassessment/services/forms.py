"""Criterion forms (phiếu đánh giá tiêu chí) and Mức 4 forms: saving with a version check, autosaved drafts, copying
them into a new cycle, and the three-way merge of a refused save."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.core.text import clean
from kiemdinh.frameworks.models import Criterion, Level4Item
from kiemdinh.selfassessment.models import (
    LEVEL4_KEY,
    CriterionForm,
    Cycle,
    FormDraft,
    indicator_key,
)
from kiemdinh.selfassessment.services.cycles import ensure_editable


class FormConflict(Exception):
    """A save based on an older version: someone else saved the form in between. Carries the current form."""

    def __init__(self, current: CriterionForm):
        super().__init__("form changed since it was opened")
        self.current = current


def _form_lookup(cycle: Cycle, criterion: Criterion | None, level4_item: Level4Item | None) -> dict:
    if (criterion is None) == (level4_item is None):
        raise ValueError("a form is for exactly one criterion or one Mức 4 item")
    subject = criterion or level4_item
    if subject.version_id != cycle.framework_id:
        raise ValidationError("Tiêu chí không thuộc bộ tiêu chuẩn của đợt tự đánh giá này.")
    return {"cycle": cycle, "criterion": criterion} if criterion else {"cycle": cycle, "level4_item": level4_item}


def form_text_keys(cycle: Cycle, criterion: Criterion | None) -> set[str]:
    """The description keys a form may hold: one per indicator of the criterion, or "4" for a Mức 4 item."""
    if criterion is None:
        return {LEVEL4_KEY}
    return {indicator_key(level, letter) for level, letter in criterion.indicators.values_list("level", "letter")}


def _clean_texts(keys: set[str], descriptions: dict, fields: dict) -> tuple[dict, dict]:
    unknown = sorted(set(descriptions) - keys)
    if unknown:
        raise ValidationError(f"Không có chỉ báo “{unknown[0]}” trong tiêu chí này.")
    clean_descriptions = {k: clean(str(v)) for k, v in descriptions.items() if clean(str(v))}
    clean_fields = {f: clean(str(fields.get(f, ""))) for f in CriterionForm.TEXT_FIELDS}
    return clean_descriptions, clean_fields


@transaction.atomic
def criterion_form_save(
    *,
    actor,
    cycle: Cycle,
    criterion: Criterion | None = None,
    level4_item: Level4Item | None = None,
    base_version: int,
    descriptions: dict[str, str],
    strengths: str = "",
    weaknesses: str = "",
    improvement: str = "",
) -> CriterionForm:
    """Save a criterion form's texts. Refused with FormConflict when the form changed since `base_version` was read.

    The version check is a compare-and-swap UPDATE, so two saves based on the same version cannot both succeed on
    any database. The saving user's autosaved draft is removed.
    """
    ensure_editable(cycle)
    lookup = _form_lookup(cycle, criterion, level4_item)
    clean_descriptions, fields = _clean_texts(
        form_text_keys(cycle, criterion),
        descriptions or {},
        {"strengths": strengths, "weaknesses": weaknesses, "improvement": improvement},
    )
    form, _ = CriterionForm.objects.get_or_create(**lookup)
    swapped = CriterionForm.objects.filter(pk=form.pk, version=base_version).update(version=base_version + 1)
    if not swapped:
        form.refresh_from_db()
        raise FormConflict(form)
    # The swap holds the version: every text below is written in full, so the row need not be read again.
    form.version = base_version + 1
    form.descriptions = clean_descriptions
    for name, value in fields.items():
        setattr(form, name, value)
    form.updated_at = timezone.now()
    form.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    form._history_user = form.updated_by
    form.save()
    if form.updated_by:
        FormDraft.objects.filter(form=form, user=form.updated_by).delete()
    audit.record(
        actor=actor,
        event_type=Event.CRITERION_FORM_SAVED,
        obj=form,
        unit=cycle.school.unit,
        school=cycle.school,
        data={"subject": _subject_label(criterion, level4_item), "version": form.version},
    )
    return form


def _subject_label(criterion: Criterion | None, level4_item: Level4Item | None) -> str:
    return f"tiêu chí {criterion.code}" if criterion else f"Mức 4 tiêu chí {level4_item.code}"


@transaction.atomic
def form_draft_save(
    *,
    actor,
    cycle: Cycle,
    criterion: Criterion | None = None,
    level4_item: Level4Item | None = None,
    base_version: int,
    data: dict,
) -> FormDraft:
    """Autosave: keep what the user typed (not yet saved) so nothing is lost if the page closes. No audit event:
    a draft is private to its author and changes nothing others see."""
    ensure_editable(cycle)
    lookup = _form_lookup(cycle, criterion, level4_item)
    clean_descriptions, fields = _clean_texts(form_text_keys(cycle, criterion), data.get("descriptions") or {}, data)
    form, _ = CriterionForm.objects.get_or_create(**lookup)
    draft, _ = FormDraft.objects.update_or_create(
        form=form,
        user=actor,
        defaults={"base_version": base_version, "data": {"descriptions": clean_descriptions, **fields}},
    )
    return draft


@transaction.atomic
def form_draft_discard(*, actor, form: CriterionForm) -> None:
    FormDraft.objects.filter(form=form, user=actor).delete()


@transaction.atomic
def criterion_forms_copy(*, actor, source: Cycle, target: Cycle) -> list[str]:
    """Carry-over: copy the texts of an earlier cycle's forms into a new cycle's empty forms, matched by criterion
    (or Mức 4 item) code. Returns the codes that do not exist in the target framework."""
    ensure_editable(target)
    criteria = {c.code: c for c in Criterion.objects.filter(version=target.framework)}
    items = {i.code: i for i in Level4Item.objects.filter(version=target.framework)}
    skipped, created = [], []
    user, now = actor if getattr(actor, "is_authenticated", False) else None, timezone.now()
    for old in CriterionForm.objects.filter(cycle=source).select_related("criterion", "level4_item"):
        if old.criterion_id:
            subject = criteria.get(old.criterion.code)
            lookup = {"criterion": subject}
            keys = None
        else:
            subject = items.get(old.level4_item.code)
            lookup = {"level4_item": subject}
            keys = {LEVEL4_KEY}
        if subject is None:
            skipped.append(old.subject.code)
            continue
        if keys is None:
            keys = form_text_keys(target, subject)
        created.append(
            CriterionForm(
                cycle=target,
                descriptions={k: v for k, v in old.descriptions.items() if k in keys},
                **{f: getattr(old, f) for f in CriterionForm.TEXT_FIELDS},
                # Version 1 with its history record: the carried texts are the base a first save is compared with,
                # so two people saving different fields of a carried form merge instead of clashing.
                version=1,
                updated_at=now,
                updated_by=user,
                **lookup,
            )
        )
    bulk_create_with_history(
        created,
        CriterionForm,
        default_user=user,
        default_change_reason=f"Kế thừa từ năm học {source.school_year}",
        default_date=now,
    )
    audit.record(
        actor=actor,
        event_type=Event.CRITERION_FORMS_CARRIED_OVER,
        obj=target,
        unit=target.school.unit,
        school=target.school,
        data={"from_cycle": source.pk, "forms": len(created), "skipped": skipped},
    )
    return skipped


def form_texts_merge(base: dict, mine: dict, theirs: dict) -> tuple[dict, set[str]]:
    """Three-way merge of a form's texts after a refused save (pure function).

    Each argument is {"descriptions": {key: text}, "strengths": …, "weaknesses": …, "improvement": …}. A text only one
    side changed since `base` takes that side; a text both changed differently keeps `mine` and is reported as a clash
    (named "mo_ta_<key>" or the field name), for the user to merge by hand.
    """

    def pick(name: str, b: str, m: str, t: str) -> str:
        if m == t or t == b:
            return m
        if m == b:
            return t
        clashes.add(name)
        return m

    clashes: set[str] = set()
    keys = set(base["descriptions"]) | set(mine["descriptions"]) | set(theirs["descriptions"])
    merged = {
        "descriptions": {
            k: pick(
                f"mo_ta_{k}",
                base["descriptions"].get(k, ""),
                mine["descriptions"].get(k, ""),
                theirs["descriptions"].get(k, ""),
            )
            for k in keys
        }
    }
    for f in CriterionForm.TEXT_FIELDS:
        merged[f] = pick(f, base.get(f, ""), mine.get(f, ""), theirs.get(f, ""))
    return merged, clashes
