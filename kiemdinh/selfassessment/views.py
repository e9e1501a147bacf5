"""Self-assessment workspace: cycles, criterion forms with live levels, gaps and submission.

Council, plan and worksheet screens are in the council package (council/views.py); evidence in the evidence app.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from kiemdinh.core.bounds import as_id
from kiemdinh.frameworks.choices import Confidence
from kiemdinh.frameworks.models import Level4Item
from kiemdinh.frameworks.subjects import Subject
from kiemdinh.selfassessment import services
from kiemdinh.selfassessment.access import (
    access_cycle,
    cycle_permissions,
)
from kiemdinh.selfassessment.models import (
    CriterionAssignment,
    Level4Rating,
)
from kiemdinh.selfassessment.selectors import (
    criteria_overview,
    cycle_evaluation,
    gap_report,
    report_sections,
    report_texts,
    school_statistics,
)
from kiemdinh.selfassessment.statistics import LAYOUT_NOTE


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- Criterion forms ------------------------------------------------------------------------------------------------


@login_required
def criteria_list(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id)
    perms = cycle_permissions(request.user, cycle)
    evaluation = cycle_evaluation(cycle)
    rows, items = criteria_overview(cycle, evaluation)
    assignments = {
        a.subject_key: a for a in CriterionAssignment.objects.filter(cycle=cycle).select_related("group", "member")
    }
    return render(
        request,
        "selfassessment/criteria_list.html",
        {
            "cycle": cycle,
            "perms": perms,
            "tab": "criteria",
            "evaluation": evaluation,
            "rows": [(r, assignments.get(Subject.criterion(r.criterion).key)) for r in rows],
            "items": [(i, assignments.get(Subject.level4_item(i["item"]).key)) for i in items],
        },
    )


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
