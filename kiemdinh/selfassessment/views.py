"""Self-assessment workspace: cycles, criterion forms with live levels, gaps and submission.

Council, plan and worksheet screens are in the council package (council/views.py); evidence in the evidence app.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from kiemdinh.accounts.access import user_scope
from kiemdinh.core.bounds import as_id
from kiemdinh.core.schoolyear import current_school_year, school_year_start
from kiemdinh.core.submits import repeatable_post
from kiemdinh.core.text import diff_html
from kiemdinh.evidence.codes import find_codes, link_citations
from kiemdinh.evidence.selectors import cycle_codes
from kiemdinh.frameworks.choices import Confidence
from kiemdinh.frameworks.models import Criterion, Level4Item
from kiemdinh.frameworks.selectors.amendments import amendments_in_force
from kiemdinh.selfassessment import services
from kiemdinh.selfassessment.access import (
    MANAGER_ROLES,
    access_cycle,
    can_edit_form,
    cycle_permissions,
    cycles_visible,
)
from kiemdinh.selfassessment.forms import CycleOpenForm, ReviewForm
from kiemdinh.selfassessment.models import (
    LEVEL4_KEY,
    CriterionAssignment,
    CriterionForm,
    Cycle,
    CycleStatus,
    FormDraft,
    Level4Rating,
    indicator_key,
)
from kiemdinh.selfassessment.readiness import readiness
from kiemdinh.selfassessment.selectors import (
    criteria_overview,
    criterion_levels,
    cycle_evaluation,
    gap_report,
    report_sections,
    report_texts,
    return_comments,
    school_statistics,
)
from kiemdinh.selfassessment.statistics import LAYOUT_NOTE
from kiemdinh.units.models import School


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- Cycles ---------------------------------------------------------------------------------------------------------


def _open_form(user, data=None) -> CycleOpenForm | None:
    scope = user_scope(user)
    managed = [sid for sid, roles in scope.school_roles.items() if roles & MANAGER_ROLES]
    if not managed:
        return None
    schools = School.objects.filter(pk__in=managed).order_by("name")
    cycles = Cycle.objects.filter(school__in=managed).select_related("school").order_by("school__name", "-school_year")
    return CycleOpenForm(
        data, schools=schools, cycles=cycles, initial={"school_year": current_school_year(), "school": managed[0]}
    )


@login_required
def cycle_list(request: HttpRequest) -> HttpResponse:
    cycles = (
        cycles_visible(request.user)
        .select_related("school__unit", "framework")
        .order_by("-school_year", "school__name")
    )
    status = request.GET.get("trang_thai", "")
    if status in CycleStatus.values:
        cycles = cycles.filter(status=status)
    page = Paginator(cycles, 50).get_page(request.GET.get("trang"))
    return render(
        request,
        "selfassessment/cycle_list.html",
        {"page": page, "status": status, "statuses": CycleStatus.choices, "open_form": _open_form(request.user)},
    )


@login_required
@require_POST
def cycle_open_view(request: HttpRequest) -> HttpResponse:
    form = _open_form(request.user, request.POST)
    if form is None:
        raise PermissionDenied("Chỉ hiệu trưởng và thư ký hội đồng được mở đợt tự đánh giá.")
    if form.is_valid():
        try:
            cycle = services.cycle_open(
                actor=request.user,
                school=form.cleaned_data["school"],
                school_year=form.cleaned_data["school_year"],
                carry_over_from=form.cleaned_data["carry_over_from"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"Đã mở đợt tự đánh giá năm học {cycle.school_year}.")
            source = form.cleaned_data["carry_over_from"]
            if source is not None:
                messages.info(request, f"Đã kế thừa từ đợt năm học {source.school_year} những phần dùng lại được.")
                labels = {
                    "council": "Hội đồng",
                    "plan": "Kế hoạch",
                    "worksheet": "Phiếu nội hàm",
                    "evidence": "Minh chứng",
                    "forms": "Phiếu đánh giá tiêu chí",
                }
                for part, lines in getattr(cycle, "carry_over_skipped", {}).items():
                    for line in dict.fromkeys(lines):
                        messages.warning(request, f"{labels[part]}: {line}")
            return redirect("selfassessment:cycle_detail", cycle.pk)
    cycles = cycles_visible(request.user).select_related("school__unit", "framework").order_by("-school_year")
    return render(
        request,
        "selfassessment/cycle_list.html",
        {"page": Paginator(cycles, 50).get_page(1), "statuses": CycleStatus.choices, "open_form": form},
        status=400,
    )


@login_required
def cycle_detail(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id)
    perms = cycle_permissions(request.user, cycle)
    evaluation = cycle_evaluation(cycle)
    rows, _items = criteria_overview(cycle, evaluation)
    last_return, comments = return_comments(cycle)
    comment_codes = {r.criterion.pk: r.criterion.code for r in rows}
    blockers, steps = readiness(cycle, rows)
    return render(
        request,
        "selfassessment/cycle_detail.html",
        {
            "cycle": cycle,
            "perms": perms,
            "tab": "overview",
            "evaluation": evaluation,
            "steps": steps,
            "transitions": cycle.transitions.select_related("actor").prefetch_related("criterion_comments__criterion"),
            # The same list for the principal (before submitting) and the officer (before accepting).
            "blockers": blockers,
            "last_return": last_return,
            "return_comments": [(comment_codes.get(cid), texts) for cid, texts in comments.items()],
            "criteria": rows,
            "review_form": ReviewForm(),
        },
    )


def _action_done(request, cycle, message):
    messages.success(request, message)
    return redirect("selfassessment:cycle_detail", cycle.pk)


def _action_failed(request, cycle, error: ValidationError):
    for text in error.messages:
        messages.error(request, text)
    return redirect("selfassessment:cycle_detail", cycle.pk)


@login_required
@require_POST
def cycle_submit(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, manage=True)
    if not cycle_permissions(request.user, cycle).is_principal:
        raise PermissionDenied("Chỉ hiệu trưởng được phê duyệt và nộp báo cáo tự đánh giá.")
    try:
        services.cycle_submit(actor=request.user, cycle=cycle, comment=request.POST.get("comment", ""))
    except ValidationError as error:
        return _action_failed(request, cycle, error)
    return _action_done(request, cycle, "Đã phê duyệt và nộp đợt tự đánh giá cho cơ quan quản lý.")


def _reviewable(request, cycle_id) -> Cycle:
    cycle = access_cycle(request.user, cycle_id)
    if not cycle_permissions(request.user, cycle).can_review:
        raise PermissionDenied("Chỉ cơ quan quản lý trực tiếp được xem xét đợt tự đánh giá đã nộp.")
    return cycle


@login_required
@require_POST
def cycle_return(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _reviewable(request, cycle_id)
    per_criterion = {
        key.removeprefix("tc_"): value for key, value in request.POST.items() if key.startswith("tc_") and value.strip()
    }
    try:
        services.cycle_return(
            actor=request.user, cycle=cycle, comment=request.POST.get("comment", ""), criterion_comments=per_criterion
        )
    except ValidationError as error:
        return _action_failed(request, cycle, error)
    return _action_done(request, cycle, "Đã trả lại đợt tự đánh giá kèm ý kiến cho nhà trường.")


@login_required
@require_POST
def cycle_accept(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _reviewable(request, cycle_id)
    if request.POST.get("confirm") != "1":
        messages.error(request, "Hãy đánh dấu xác nhận đã xem xét hồ sơ trước khi chấp nhận.")
        return redirect("selfassessment:cycle_detail", cycle.pk)
    try:
        services.cycle_accept(actor=request.user, cycle=cycle, comment=request.POST.get("comment", ""))
    except ValidationError as error:
        return _action_failed(request, cycle, error)
    return _action_done(request, cycle, "Đã chấp nhận đợt tự đánh giá.")


@login_required
@require_POST
def cycle_publish(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id)
    if not cycle_permissions(request.user, cycle).is_principal:
        raise PermissionDenied("Chỉ hiệu trưởng được công bố báo cáo tự đánh giá.")
    if request.POST.get("confirm") != "1":
        messages.error(request, "Hãy đánh dấu xác nhận công bố trước khi công bố kết quả tự đánh giá.")
        return redirect("selfassessment:cycle_detail", cycle.pk)
    try:
        services.cycle_publish(actor=request.user, cycle=cycle)
    except ValidationError as error:
        return _action_failed(request, cycle, error)
    return _action_done(request, cycle, "Đã công bố kết quả tự đánh giá.")


# --- Criterion forms ------------------------------------------------------------------------------------------------


@login_required
def criteria_list(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id)
    perms = cycle_permissions(request.user, cycle)
    evaluation = cycle_evaluation(cycle)
    rows, items = criteria_overview(cycle, evaluation)
    assignments = {
        (a.criterion_id or f"4/{a.level4_item_id}"): a
        for a in CriterionAssignment.objects.filter(cycle=cycle).select_related("group", "member")
    }
    return render(
        request,
        "selfassessment/criteria_list.html",
        {
            "cycle": cycle,
            "perms": perms,
            "tab": "criteria",
            "evaluation": evaluation,
            "rows": [(r, assignments.get(r.criterion.pk)) for r in rows],
            "items": [(i, assignments.get(f"4/{i['item'].pk}")) for i in items],
        },
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
            self.prefix = "selfassessment:level4"
        else:
            self.criterion = get_object_or_404(
                Criterion.objects.select_related("standard"), version=cycle.framework, code=code
            )
            self.item = None
            self.lookup = {"criterion": self.criterion}
            self.prefix = "selfassessment:form"
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
            name = "selfassessment:level4_form"
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
            messages.error(request, _error_text(error))
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
        messages.error(request, _error_text(error))
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
        messages.error(request, _error_text(error))
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
            format_html('<span class="error">Chưa tự lưu được: {}</span>', _error_text(error)), status=400
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


# --- Gaps and what-if -----------------------------------------------------------------------------------------------


@login_required
def gap_board(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """Gaps of the stored results; POST (what-if) rates the ticked indicators instead, without saving anything."""
    cycle = access_cycle(request.user, cycle_id)
    perms = cycle_permissions(request.user, cycle)
    what_if = request.method == "POST"
    stored = cycle_evaluation(cycle)
    if what_if:
        ids = {n for v in request.POST.getlist("dat") if (n := as_id(v)) is not None}
        level4 = dict.fromkeys(request.POST.getlist("muc4"), True)
    else:
        ids = None
        level4 = dict(Level4Rating.objects.filter(cycle=cycle).values_list("item__code", "achieved"))
    evaluation, criteria_gaps, school_gaps, indicators, achieved = gap_report(cycle, ids, level4)
    context = {
        "cycle": cycle,
        "perms": perms,
        "tab": "gaps",
        "evaluation": evaluation,
        "stored": stored,
        "what_if": what_if,
        "criteria_gaps": [g for g in criteria_gaps if g.next_level],
        "school_gaps": school_gaps,
        "indicators": indicators,
        "achieved": achieved,
        "level4_items": Level4Item.objects.filter(version=cycle.framework).exclude(confidence=Confidence.MISSING),
        "level4_achieved": {code for code, value in level4.items() if value},
        "changed": [
            (code, stored.criteria[code], level)
            for code, level in evaluation.criteria.items()
            if stored.criteria.get(code) != level
        ],
    }
    if what_if and request.headers.get("HX-Request"):
        return render(request, "selfassessment/gap_board.html#results", context)
    return render(request, "selfassessment/gap_board.html", context)


# --- Report texts ---------------------------------------------------------------------------------------------------


@login_required
def report_texts_page(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The narrative parts of the report (Đặt vấn đề, Mở đầu and Kết luận of each standard, Kết luận chung)."""
    cycle = access_cycle(request.user, cycle_id)
    perms = cycle_permissions(request.user, cycle)
    sections = report_sections(cycle)
    if request.method == "POST":
        if not perms.can_manage_now:
            raise PermissionDenied("Chỉ hiệu trưởng và thư ký hội đồng viết các phần chung của báo cáo.")
        try:
            changed = services.report_texts_save(
                actor=request.user,
                cycle=cycle,
                texts={s.key: request.POST.get(s.key, "") for s in sections if s.key in request.POST},
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, f"Đã lưu {changed} phần của báo cáo." if changed else "Không có thay đổi.")
        return redirect("selfassessment:report_texts", cycle.pk)
    texts = report_texts(cycle)
    return render(
        request,
        "selfassessment/report_texts.html",
        {
            "cycle": cycle,
            "perms": perms,
            "tab": "report",
            "sections": [(s, texts.get(s.key, "")) for s in sections],
            "filled": sum(1 for s in sections if texts.get(s.key)),
        },
    )


# --- Phần I statistics -------------------------------------------------------------------------------------------------


def _statistics_grid(table, posted: dict[str, dict[str, str]] | None = None, error: str = "") -> dict:
    """One table for the page: per row its cells (input name, shown value); `posted` shows what the user typed."""
    rows = []
    for row in table.rows:
        cells = []
        for year, value in zip(table.columns, row.values, strict=True):
            shown = "" if value is None else str(value)
            if posted is not None and not row.computed:
                shown = posted.get(row.key, {}).get(year, "")
            cells.append({"name": f"{row.key}.{year}", "year": year, "value": shown})
        rows.append({"row": row, "cells": cells})
    return {"table": table, "rows": rows, "error": error}


@login_required
def school_data_page(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """Số liệu Phần I of the report: one form per table, saved one table at a time."""
    cycle = access_cycle(request.user, cycle_id)
    perms = cycle_permissions(request.user, cycle)
    tables = school_statistics(cycle)
    grids = [_statistics_grid(t) for t in tables]
    status = 200
    if request.method == "POST":
        if not perms.can_manage_now:
            raise PermissionDenied("Chỉ hiệu trưởng và thư ký hội đồng nhập số liệu Phần I.")
        key = request.POST.get("table", "")
        table = next((t for t in tables if t.key == key), None)
        if table is None:
            messages.error(request, "Không rõ bảng số liệu cần lưu.")
            return redirect("selfassessment:school_data", cycle.pk)
        values: dict[str, dict[str, str]] = {}
        for row in table.rows:
            if row.computed:
                continue
            for year in table.columns:
                name = f"{row.key}.{year}"
                if name in request.POST:
                    values.setdefault(row.key, {})[year] = request.POST[name]
        try:
            changed = services.school_statistics_save(actor=request.user, cycle=cycle, table=key, values=values)
        except ValidationError as error:
            grids = [
                _statistics_grid(t, values, _error_text(error)) if t.key == key else _statistics_grid(t) for t in tables
            ]
            status = 400
        else:
            title = table.title.split(". ", 1)[-1]
            messages.success(request, f"Đã lưu bảng “{title}”." if changed else "Không có thay đổi.")
            return redirect(f"{reverse('selfassessment:school_data', args=[cycle.pk])}#bang-{key}")
    return render(
        request,
        "selfassessment/school_data.html",
        {"cycle": cycle, "perms": perms, "tab": "school_data", "grids": grids, "layout_note": LAYOUT_NOTE},
        status=status,
    )
