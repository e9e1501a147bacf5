"""The audit log page (nhật ký): who did what and when, within the reader's scope — an officer the events of their
units and the schools below, a principal (or the council's secretary) their school's, an admin all. Read from the
rows `core.audit.record` writes; nothing here writes."""

from datetime import datetime, time
from functools import reduce
from operator import or_

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kiemdinh.accounts.access import Scope, user_scope
from kiemdinh.accounts.models import Body, Role
from kiemdinh.core.audit import Event
from kiemdinh.core.forms import Form, date_field
from kiemdinh.core.models import AuditEvent
from kiemdinh.selfassessment.models import CouncilRole, CycleStatus

PAGE_SIZE = 50
READERS_AT_SCHOOL = frozenset({Role.PRINCIPAL, Role.SECRETARY})


def can_read_audit(scope: Scope) -> bool:
    return scope.is_admin or bool(scope.unit_paths) or any(r & READERS_AT_SCHOOL for r in scope.school_roles.values())


def events_visible(scope: Scope):
    """The audit rows the scope may read (a queryset; none for a scope that reads none)."""
    if scope.is_admin:
        return AuditEvent.objects.all()
    parts = [Q(unit__path__startswith=p) | Q(school__unit__path__startswith=p) for p in scope.unit_paths]
    schools = [sid for sid, roles in scope.school_roles.items() if roles & READERS_AT_SCHOOL]
    if schools:
        parts.append(Q(school_id__in=schools))
    return AuditEvent.objects.filter(reduce(or_, parts)) if parts else AuditEvent.objects.none()


class AuditFilterForm(Form):
    loai = forms.ChoiceField(
        label="Việc", required=False, choices=[("", "Tất cả"), *((e.value, e.label) for e in Event)]
    )
    tu_ngay = date_field("Từ ngày")
    den_ngay = date_field("Đến ngày")


# How the details most events record are named on the page; a key not listed is shown as recorded.
DETAIL_LABELS = {
    "user": "tài khoản",
    "username": "tài khoản",
    "role": "vai trò",
    "from": "từ",
    "to": "sang",
    "comment": "ý kiến",
    "reason": "lý do",
    "name": "tên",
    "title": "tiêu đề",
    "held_on": "ngày",
    "lines": "số dòng",
    "school_year": "năm học",
    "framework": "bộ tiêu chuẩn",
    "subject": "nội dung",
    "version": "phiên bản",
    "code": "mã",
    "number": "số",
    "by": "cách gửi",
    "reset": "đặt lại qua đường dẫn",
    "full_name": "họ và tên",
    "body": "cơ quan",
    "school_level": "mức đạt của trường",
    "summary": "tóm tắt",
    "filename": "tệp",
    "rows": "số dòng",
    "errors": "số lỗi",
    "created": "số bản ghi tạo",
    "kind": "loại",
    "status": "trạng thái",
    "level": "mức",
}
VALUE_LABELS = {
    **dict(Role.choices),
    **dict(Body.choices),
    **dict(CouncilRole.choices),
    **dict(CycleStatus.choices),
    "email": "thư điện tử",
    "slip": "phiếu in",
    True: "có",
    False: "không",
}


def _summary(data: dict) -> str:
    """The event's details as one short line, in words (values shortened; empty values left out)."""
    parts = []
    # In a fixed order (PostgreSQL's jsonb keeps keys in its own order): the named keys as listed, then the others.
    order = {key: i for i, key in enumerate(DETAIL_LABELS)}
    for key, value in sorted((data or {}).items(), key=lambda item: (order.get(item[0], len(order)), item[0])):
        if value in ("", None) or isinstance(value, list | dict):
            continue  # lists and records of ids say nothing to a reader; the row's place and kind say what it was
        shown = VALUE_LABELS.get(value, value) if isinstance(value, str | bool) else value
        text = shown if isinstance(shown, str) else str(shown)
        parts.append(f"{DETAIL_LABELS.get(key, key)}: {text[:80]}{'…' if len(text) > 80 else ''}")
    return "; ".join(parts)[:300]


def _without_page(request) -> str:
    """The filter part of the query string, for the page links."""
    params = request.GET.copy()
    params.pop("trang", None)
    return params.urlencode()


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    scope = user_scope(request.user)
    if not can_read_audit(scope):
        raise PermissionDenied("Nhật ký dành cho cán bộ quản lý, hiệu trưởng và thư ký hội đồng.")
    form = AuditFilterForm(request.GET or None)
    rows = events_visible(scope).select_related("actor", "unit", "school")
    if form.is_bound:
        form.is_valid()  # a field with an error is left out of the filter; the others apply
        data = {"loai": "", "tu_ngay": None, "den_ngay": None, **form.cleaned_data}
        kind = data["loai"]
        if kind:
            rows = rows.filter(event_type=kind)
        zone = timezone.get_current_timezone()
        if data["tu_ngay"]:
            rows = rows.filter(created_at__gte=datetime.combine(data["tu_ngay"], time.min, zone))
        if data["den_ngay"]:
            rows = rows.filter(created_at__lte=datetime.combine(data["den_ngay"], time.max, zone))
    page = Paginator(rows.order_by("-created_at", "-id"), PAGE_SIZE).get_page(request.GET.get("trang"))
    labels = {e.value: e.label for e in Event}
    return render(
        request,
        "workspace/audit_log.html",
        {
            "form": form,
            "page": page,
            "rows": [(e, labels.get(e.event_type, e.event_type), _summary(e.data)) for e in page],
            "filters": _without_page(request),
        },
    )
