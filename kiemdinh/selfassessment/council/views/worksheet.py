"""Screens of the nội hàm worksheet (Phụ lục 2 and 3): a page per standard and one for the Mức 4 items, saving one
row (by whoever may edit it: the managers, or the members assigned to its criterion), and copying an earlier cycle's
worksheet.

Each view: access → form → service → response. Plain POSTs redirect with a message; htmx requests get the updated
fragment of the page's template (django-template-partials).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kiemdinh.core.forms import error_text, form_messages
from kiemdinh.frameworks.choices import Confidence
from kiemdinh.frameworks.models import Indicator, Level4Item
from kiemdinh.selfassessment.access import access_cycle, assigned_ids, can_edit_form, cycle_permissions
from kiemdinh.selfassessment.council import selectors, services
from kiemdinh.selfassessment.council.constants import LEVEL4_PAGE, SCOPE_TEXT_FIELDS
from kiemdinh.selfassessment.council.forms import CarryOverForm, ScopeAnalysisForm
from kiemdinh.selfassessment.council.views._common import copy_message, is_htmx
from kiemdinh.selfassessment.models import Cycle

WORKSHEET = "selfassessment/worksheet.html"


def _edit_scope(user, cycle: Cycle, perms) -> selectors.EditScope:
    if not perms.is_editable or not perms.can_contribute:
        return selectors.EditScope()
    if perms.can_manage:
        return selectors.EditScope(everything=True)
    criteria, items = assigned_ids(user, cycle)
    return selectors.EditScope(criterion_ids=criteria, item_ids=items)


def _worksheet_url(cycle: Cycle, page: str, anchor: str = "") -> str:
    url = f"{reverse('selfassessment:worksheet', args=[cycle.pk])}?tieu-chuan={page}"
    return f"{url}#{anchor}" if anchor else url


@login_required
def worksheet(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id)
    return render(request, WORKSHEET, _worksheet_context(request, cycle, request.GET.get("tieu-chuan", "")))


def _worksheet_context(request: HttpRequest, cycle: Cycle, page_key: str, failed_row=None) -> dict:
    perms = cycle_permissions(request.user, cycle)
    page = selectors.worksheet_page(cycle, page=page_key, edit=_edit_scope(request.user, cycle, perms))
    if failed_row is not None:  # show the refused input again, with its errors, instead of the saved row
        rows = page.level4_rows + [row for block in page.criteria for row in block.rows]
        for row in rows:
            if row.key == failed_row.key:
                row.posted, row.errors = failed_row.posted, failed_row.errors
    filled, total = selectors.worksheet_progress(cycle)
    context = {
        "cycle": cycle,
        "perms": perms,
        "tab": "worksheet",
        "page": page,
        "page_key": LEVEL4_PAGE if page.is_level4 else (page.standard.code if page.standard else ""),
        "filled": filled,
        "total": total,
    }
    if perms.can_manage_now and not filled:
        context["copy_sources"] = selectors.earlier_cycles(cycle)
    return context


def _worksheet_save(request: HttpRequest, cycle: Cycle, *, indicator=None, level4_item=None) -> HttpResponse:
    form = ScopeAnalysisForm(request.POST)
    page_key = indicator.criterion.standard.code if indicator is not None else LEVEL4_PAGE
    edit = selectors.EditScope(everything=True)  # the caller has checked the user may edit this row
    error = None
    if form.is_valid():
        try:
            services.scope_analysis_save(
                actor=request.user, cycle=cycle, indicator=indicator, level4_item=level4_item, **form.cleaned_data
            )
        except ValidationError as e:
            error = e
    else:
        error = ValidationError(form_messages(form))
    row = selectors.worksheet_row(cycle, indicator=indicator, level4_item=level4_item, edit=edit)
    if error is None:
        if is_htmx(request):
            filled, total = selectors.worksheet_progress(cycle)
            context = {"cycle": cycle, "row": row, "just_saved": True, "filled": filled, "total": total}
            return render(request, f"{WORKSHEET}#row-saved", context)
        where = f"tiêu chí {indicator.criterion.code} {row.label}" if indicator is not None else row.label
        messages.success(request, f"Đã lưu nội hàm {where}.")
        return redirect(_worksheet_url(cycle, page_key, row.key))
    row.posted = {name: request.POST.get(name, "") for name in SCOPE_TEXT_FIELDS}
    row.errors = error.messages
    if is_htmx(request):
        return render(request, f"{WORKSHEET}#row", {"cycle": cycle, "row": row})
    return render(request, WORKSHEET, _worksheet_context(request, cycle, page_key, failed_row=row))


@login_required
@require_POST
def worksheet_indicator_save(request: HttpRequest, cycle_id: int, indicator_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, write=True)
    indicator = get_object_or_404(
        Indicator.objects.select_related("criterion__standard"), pk=indicator_id, criterion__version=cycle.framework_id
    )
    if not can_edit_form(request.user, cycle, criterion_id=indicator.criterion_id):
        raise PermissionDenied("Bạn chỉ sửa được phiếu nội hàm của các tiêu chí được phân công cho mình.")
    return _worksheet_save(request, cycle, indicator=indicator)


@login_required
@require_POST
def worksheet_level4_save(request: HttpRequest, cycle_id: int, item_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, write=True)
    item = get_object_or_404(
        Level4Item.objects.exclude(confidence=Confidence.MISSING), pk=item_id, version=cycle.framework_id
    )
    if not can_edit_form(request.user, cycle, level4_item_id=item.pk):
        raise PermissionDenied("Bạn chỉ sửa được phiếu nội hàm của các tiêu chí Mức 4 được phân công cho mình.")
    return _worksheet_save(request, cycle, level4_item=item)


@login_required
@require_POST
def worksheet_copy(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, manage=True)
    form = CarryOverForm(request.POST, sources=selectors.earlier_cycles(cycle))
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["source"]))
        return redirect("selfassessment:worksheet", cycle_id=cycle.pk)
    source = form.source_cycle()
    try:
        report = services.worksheet_copy(actor=request.user, source=source, target=cycle)
    except ValidationError as e:
        messages.error(request, error_text(e))
    else:
        what = f"phiếu nội hàm năm học {source.school_year} ({report.counts['rows']} dòng)"
        messages.success(request, copy_message(report, what))
    return redirect("selfassessment:worksheet", cycle_id=cycle.pk)
