"""A criterion form (phiếu đánh giá tiêu chí) or a Mức 4 item's form: the page with live levels and the evidence it
cites, saving it (`selfassessment.services.criterion_form_save`, with a three-way merge when someone saved in
between), rating its indicators, autosaved drafts and its history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from kiemdinh.core.forms import error_text
from kiemdinh.core.schoolyear import school_year_start
from kiemdinh.core.submits import repeatable_post
from kiemdinh.core.text import diff_html
from kiemdinh.evidence.selectors import cycle_codes
from kiemdinh.frameworks.choices import Confidence
from kiemdinh.frameworks.evidence_codes import find_codes, link_citations
from kiemdinh.frameworks.models import Criterion, Level4Item
from kiemdinh.frameworks.selectors.amendments import amendments_in_force
from kiemdinh.selfassessment import services
from kiemdinh.selfassessment.access import (
    access_cycle,
    can_edit_form,
    cycle_permissions,
)
from kiemdinh.selfassessment.models import (
    LEVEL4_KEY,
    CriterionAssignment,
    CriterionForm,
    Cycle,
    FormDraft,
    Level4Rating,
    indicator_key,
)
from kiemdinh.selfassessment.selectors import (
    criterion_levels,
    cycle_evaluation,
    return_comments,
)


class _Subject:
    """What a form page is about: a criterion or a Mức 4 item, with the URLs and texts that differ."""

    def __init__(self, cycle: Cycle, code: str, level4: bool):
        self.level4 = level4
        if level4:
            self.item = get_object_or_404(
                Level4Item.objects.exclude(confidence=Confidence.MISSING), version=cycle.framework, code=code
            )
            self.criterion = None
            self.lookup = {"level4_item": self.item}
            self.prefix = "workflow:level4"
        else:
            self.criterion = get_object_or_404(
                Criterion.objects.select_related("standard"), version=cycle.framework, code=code
            )
            self.item = None
            self.lookup = {"criterion": self.criterion}
            self.prefix = "workflow:form"
        self.code = code
        self._page_url = self.url(cycle)
        self._keys = None

    @property
    def obj(self):
        return self.criterion or self.item

    @property
    def url_for_page(self) -> str:
        return self._page_url

    def url(self, cycle, suffix=""):
        name = self.prefix + (f"_{suffix}" if suffix else "")
        if self.level4 and not suffix:
            name = "workflow:level4_form"
        return reverse(name, args=[cycle.pk, self.code])

    def indicator_keys(self) -> list[str]:
        if self._keys is None:
            self._keys = [LEVEL4_KEY] if self.level4 else _ordered_keys(self.criterion)
        return self._keys

    def can_edit(self, user, cycle, perms) -> bool:
        if self.level4:
            return can_edit_form(user, cycle, level4_item_id=self.item.pk, perms=perms)
        return can_edit_form(user, cycle, criterion_id=self.criterion.pk, perms=perms)


def _ordered_keys(criterion: Criterion) -> list[str]:
    return [
        indicator_key(level, letter)
        for level, letter in criterion.indicators.order_by("level", "position").values_list("level", "letter")
    ]


def _posted_texts(request, subject: _Subject) -> dict:
    return {
        "descriptions": {k: request.POST.get(f"mo_ta_{k}", "") for k in subject.indicator_keys()},
        **{f: request.POST.get(f, "") for f in CriterionForm.TEXT_FIELDS},
    }


def _texts_of(form: CriterionForm | None) -> dict:
    if form is None:
        return {"descriptions": {}, **dict.fromkeys(CriterionForm.TEXT_FIELDS, "")}
    return {"descriptions": dict(form.descriptions or {}), **{f: getattr(form, f) for f in CriterionForm.TEXT_FIELDS}}


def _form_page(request, cycle_id: int, code: str, level4: bool) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id)
    perms = cycle_permissions(request.user, cycle)
    subject = _Subject(cycle, code, level4)
    can_edit = subject.can_edit(request.user, cycle, perms)

    def saved_form():
        lookup = {"cycle": cycle, **subject.lookup}
        return CriterionForm.objects.filter(**lookup).select_related("updated_by").first()

    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_edit_refusal(perms))
        texts = _posted_texts(request, subject)
        try:
            base_version = int(request.POST.get("base_version", "0"))
        except ValueError:
            base_version = 0
        try:
            services.criterion_form_save(
                actor=request.user, cycle=cycle, base_version=base_version, **subject.lookup, **texts
            )
        except services.FormConflict as conflict:
            current = conflict.current
            base_record = current.history.filter(version=base_version).first() if base_version else None
            merged, clashes = services.form_texts_merge(_texts_of(base_record), texts, _texts_of(current))
            return _render_form(
                request,
                cycle,
                perms,
                subject,
                current,
                merged,
                can_edit,
                conflict=current,
                mine=texts,
                clashes=clashes,
                status=409,
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
            return _render_form(request, cycle, perms, subject, saved_form(), texts, can_edit, status=400)
        messages.success(request, "Đã lưu phiếu đánh giá.")
        return redirect(subject.url(cycle))

    draft = None
    form = saved_form()
    texts = _texts_of(form)
    if form is not None and can_edit:
        draft = FormDraft.objects.filter(form=form, user=request.user).first()
        if draft and draft.data == {
            "descriptions": texts["descriptions"],
            **{f: texts[f] for f in CriterionForm.TEXT_FIELDS},
        }:
            draft = None  # nothing unsaved in it
        if draft and request.GET.get("nhap") == "1":
            texts = {
                "descriptions": dict(draft.data.get("descriptions", {})),
                **{f: draft.data.get(f, "") for f in CriterionForm.TEXT_FIELDS},
            }
            return _render_form(request, cycle, perms, subject, form, texts, can_edit, restored=draft)
    return _render_form(request, cycle, perms, subject, form, texts, can_edit, draft=draft)


def _citations(cycle, texts: dict):
    """The evidence codes cited in a form's texts, in order, each once: [(code, cycle evidence or None, URL or
    None)], and the code → URL function used to link them inside texts (1 query)."""
    all_text = "\n".join([*texts["descriptions"].values(), *(texts[f] for f in CriterionForm.TEXT_FIELDS)])
    codes = find_codes(all_text)
    known = cycle_codes(cycle, codes)

    def evidence_url(code: str) -> str | None:
        link = known.get(code)
        return reverse("evidence:detail", args=[cycle.pk, link.pk]) if link else None

    return evidence_url, [(code, known.get(code), evidence_url(code)) for code in codes]


def _edit_refusal(perms) -> str:
    if not perms.is_editable:
        return "Đợt tự đánh giá này chỉ xem được."
    return "Bạn chỉ sửa được phiếu của các tiêu chí được phân công cho mình hoặc nhóm của mình."


def _amendment_marks(cycle, criterion) -> list[str]:
    """An amendment in force for the cycle's school year whose wording is not recorded (TT22/2024): never silent."""
    starts = school_year_start(cycle.school_year)
    return [f"Mức {a.level}: {a.pending_text}." for a in amendments_in_force(criterion, starts) if not a.updated]


def _render_form(
    request,
    cycle,
    perms,
    subject,
    form,
    texts,
    can_edit,
    *,
    conflict=None,
    mine=None,
    clashes=(),
    draft=None,
    restored=None,
    status=200,
):
    evidence_url, cited = _citations(cycle, texts)
    _, comments = return_comments(cycle)
    context = {
        "cycle": cycle,
        "perms": perms,
        "tab": "criteria",
        "subject": subject,
        "form": form,
        "texts": texts,
        "can_edit": can_edit,
        "conflict": conflict,
        "draft": draft,
        "restored": restored,
        "base_version": (
            conflict.version if conflict else (restored.base_version if restored else (form.version if form else 0))
        ),
        "cited": cited,
        "unknown_cited": [c for c, link, _ in cited if link is None],
        "texts_html": None
        if can_edit
        else {
            "descriptions": {k: link_citations(v, evidence_url) for k, v in texts["descriptions"].items()},
            **{f: link_citations(texts[f], evidence_url) for f in CriterionForm.TEXT_FIELDS},
        },
        "comments": comments.get(subject.criterion.pk, []) if subject.criterion else [],
        "amendment_marks": _amendment_marks(cycle, subject.criterion) if subject.criterion else [],
        "assignment": CriterionAssignment.objects.filter(cycle=cycle, **subject.lookup)
        .select_related("group", "member")
        .first(),
        "field_labels": [
            ("strengths", "2. Điểm mạnh"),
            ("weaknesses", "3. Điểm yếu"),
            ("improvement", "4. Kế hoạch cải tiến chất lượng"),
        ],
    }
    if conflict is not None:
        # Every text that differs between the two versions; a clash (both changed it) is marked for hand merging.
        theirs = _texts_of(conflict)
        context["conflict_rows"] = [
            (label, name, theirs_value, mine_value, name in clashes)
            for label, name, theirs_value, mine_value in _conflict_fields(subject, mine, theirs)
            if theirs_value != mine_value
        ]
        context["clash_count"] = len(clashes)
    if subject.level4:
        achieved = Level4Rating.objects.filter(cycle=cycle, item=subject.item, achieved=True).exists()
        context.update(level4_achieved=achieved, evaluation=cycle_evaluation(cycle))
    else:
        blocks, level = criterion_levels(cycle, subject.criterion)
        context.update(blocks=blocks, level=level, evaluation=cycle_evaluation(cycle))
        shown = texts_html["descriptions"] if (texts_html := context["texts_html"]) else texts["descriptions"]
        context["descriptions"] = {row.key: shown.get(row.key, "") for b in blocks for row in b.rows}
    neighbours = _neighbours(cycle, subject)
    context.update(neighbours)
    template = "selfassessment/level4_form.html" if subject.level4 else "selfassessment/criterion_form.html"
    return render(request, template, context, status=status)


def _conflict_fields(subject, mine, theirs):
    for key in subject.indicator_keys():
        label = "Mô tả hiện trạng" if subject.level4 else f"Mô tả hiện trạng — {_key_label(key)}"
        yield label, f"mo_ta_{key}", theirs["descriptions"].get(key, ""), mine["descriptions"].get(key, "")
    for name, label in (
        ("strengths", "Điểm mạnh"),
        ("weaknesses", "Điểm yếu"),
        ("improvement", "Kế hoạch cải tiến chất lượng"),
    ):
        yield label, name, theirs[name], mine[name]


def _key_label(key: str) -> str:
    level, _, letter = key.partition(".")
    return f"Mức {level}" + (f", chỉ báo {letter})" if letter else "")


def _neighbours(cycle, subject) -> dict:
    if subject.level4:
        codes = list(
            Level4Item.objects.filter(version=cycle.framework)
            .exclude(confidence=Confidence.MISSING)
            .values_list("code", flat=True)
        )
    else:
        codes = list(
            Criterion.objects.filter(version=cycle.framework).order_by("position").values_list("code", flat=True)
        )
    index = codes.index(subject.code)
    return {
        "previous_code": codes[index - 1] if index > 0 else None,
        "next_code": codes[index + 1] if index + 1 < len(codes) else None,
    }


@login_required
def criterion_form(request: HttpRequest, cycle_id: int, code: str) -> HttpResponse:
    return _form_page(request, cycle_id, code, level4=False)


@login_required
def level4_form(request: HttpRequest, cycle_id: int, code: str) -> HttpResponse:
    return _form_page(request, cycle_id, code, level4=True)


def _editable_subject(request, cycle_id, code, level4):
    cycle = access_cycle(request.user, cycle_id, write=True)
    perms = cycle_permissions(request.user, cycle)
    subject = _Subject(cycle, code, level4)
    if not subject.can_edit(request.user, cycle, perms):
        raise PermissionDenied(_edit_refusal(perms))
    return cycle, perms, subject


@login_required
@require_POST
def criterion_rate(request: HttpRequest, cycle_id: int, code: str) -> HttpResponse:
    """Record the ticked indicators of one criterion (every indicator shown is sent; unticked = không đạt)."""
    cycle, perms, subject = _editable_subject(request, cycle_id, code, level4=False)
    ticked = set(request.POST.getlist("dat"))
    results: dict[int, dict[str, bool]] = {}
    for level, letter in subject.criterion.indicators.values_list("level", "letter"):
        results.setdefault(level, {})[letter] = indicator_key(level, letter) in ticked
    try:
        services.cycle_record_ratings(actor=request.user, cycle=cycle, indicators={code: results}, level4={})
    except ValidationError as error:
        messages.error(request, error_text(error))
    if request.headers.get("HX-Request"):
        blocks, level = criterion_levels(cycle, subject.criterion)
        return render(
            request,
            "selfassessment/criterion_form.html#ratings",
            {
                "cycle": cycle,
                "perms": perms,
                "subject": subject,
                "blocks": blocks,
                "level": level,
                "can_edit": True,
                "evaluation": cycle_evaluation(cycle),
                "oob": True,
            },
        )
    messages.success(request, "Đã ghi kết quả đánh giá các chỉ báo.")
    return redirect(subject.url(cycle))


@login_required
@require_POST
def level4_rate(request: HttpRequest, cycle_id: int, code: str) -> HttpResponse:
    cycle, perms, subject = _editable_subject(request, cycle_id, code, level4=True)
    try:
        services.cycle_record_ratings(
            actor=request.user, cycle=cycle, indicators={}, level4={code: request.POST.get("dat") == LEVEL4_KEY}
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    if request.headers.get("HX-Request"):
        achieved = Level4Rating.objects.filter(cycle=cycle, item=subject.item, achieved=True).exists()
        return render(
            request,
            "selfassessment/level4_form.html#ratings",
            {
                "cycle": cycle,
                "perms": perms,
                "subject": subject,
                "level4_achieved": achieved,
                "can_edit": True,
                "evaluation": cycle_evaluation(cycle),
                "oob": True,
            },
        )
    messages.success(request, "Đã ghi kết quả đánh giá tiêu chí Mức 4.")
    return redirect(subject.url(cycle))


def _autosave(request, cycle_id, code, level4) -> HttpResponse:
    cycle, _perms, subject = _editable_subject(request, cycle_id, code, level4)
    if request.POST.get("bo_nhap"):
        form = CriterionForm.objects.filter(cycle=cycle, **subject.lookup).first()
        if form:
            services.form_draft_discard(actor=request.user, form=form)
        messages.info(request, "Đã bỏ bản nháp tự lưu.")
        return redirect(subject.url(cycle))
    try:
        base_version = int(request.POST.get("base_version", "0"))
    except ValueError:
        base_version = 0
    try:
        draft = services.form_draft_save(
            actor=request.user,
            cycle=cycle,
            base_version=base_version,
            data=_posted_texts(request, subject),
            **subject.lookup,
        )
    except ValidationError as error:
        return HttpResponse(
            format_html('<span class="error">Chưa tự lưu được: {}</span>', error_text(error)), status=400
        )
    _url, cited = _citations(cycle, _posted_texts(request, subject))
    return render(
        request,
        "selfassessment/criterion_form.html#autosaved",
        {
            "saved_at": timezone.localtime(draft.saved_at),
            "cited": cited,
            "cycle": cycle,
            "unknown_cited": [c for c, link, _ in cited if link is None],
            "oob": True,
        },
    )


# An autosave overwrites the draft with what is on screen: it must never be answered from an earlier one.
@repeatable_post
@login_required
@require_POST
def criterion_autosave(request: HttpRequest, cycle_id: int, code: str) -> HttpResponse:
    return _autosave(request, cycle_id, code, level4=False)


# An autosave overwrites the draft with what is on screen: it must never be answered from an earlier one.
@repeatable_post
@login_required
@require_POST
def level4_autosave(request: HttpRequest, cycle_id: int, code: str) -> HttpResponse:
    return _autosave(request, cycle_id, code, level4=True)


def _history(request, cycle_id, code, level4) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id)
    perms = cycle_permissions(request.user, cycle)
    subject = _Subject(cycle, code, level4)
    form = CriterionForm.objects.filter(cycle=cycle, **subject.lookup).first()
    revisions = []
    if form is not None:
        records = list(
            form.history.filter(version__gt=0).select_related("history_user").order_by("history_date", "history_id")
        )
        previous = None
        for record in records:
            changes = []
            old = _texts_of(previous) if previous else _texts_of(None)
            new = _texts_of(record)
            for label, _name, old_value, new_value in _conflict_fields(subject, new, old):
                if old_value != new_value:
                    changes.append((label, diff_html(old_value, new_value)))
            revisions.append({"record": record, "changes": changes})
            previous = record
        revisions.reverse()
    return render(
        request,
        "selfassessment/form_history.html",
        {"cycle": cycle, "perms": perms, "tab": "criteria", "subject": subject, "form": form, "revisions": revisions},
    )


@login_required
def criterion_history(request: HttpRequest, cycle_id: int, code: str) -> HttpResponse:
    return _history(request, cycle_id, code, level4=False)


@login_required
def level4_history(request: HttpRequest, cycle_id: int, code: str) -> HttpResponse:
    return _history(request, cycle_id, code, level4=True)
