"""A plan's reports (periodic, final or asked for): saved and deleted."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from kiemdinh.core.audit import Event
from kiemdinh.core.text import clean, nfc
from kiemdinh.planning.models import (
    AnnualPlan,
    PlanReport,
    ReportKind,
)
from kiemdinh.planning.services.common import record


@dataclass(frozen=True)
class ReportInput:
    kind: str
    reported_on: date | None
    title: str
    body: str
    number: str = ""
    period_label: str = ""
    recipients: str = ""


@transaction.atomic
def report_save(*, actor, plan: AnnualPlan, data: ReportInput, report: PlanReport | None = None) -> PlanReport:
    errors = {}
    if data.kind not in ReportKind.values:
        errors["kind"] = "Hãy chọn loại báo cáo."
    if data.reported_on is None:
        errors["reported_on"] = "Hãy ghi ngày báo cáo."
    if not clean(data.title):
        errors["title"] = "Hãy ghi trích yếu của báo cáo."
    if not clean(data.body):
        errors["body"] = "Báo cáo chưa có nội dung."
    if errors:
        raise ValidationError(errors)
    if report is None:
        report = PlanReport(plan=plan, created_by=actor if actor.is_authenticated else None)
    report.kind = data.kind
    report.reported_on = data.reported_on
    report.title = clean(data.title)
    report.body = nfc(data.body).strip()
    report.number = clean(data.number)
    report.period_label = clean(data.period_label)
    report.recipients = clean(data.recipients)
    report.save()
    record(actor, Event.PLAN_REPORT_SAVED, plan, obj=report, kind=report.kind, title=report.title)
    return report


@transaction.atomic
def report_delete(*, actor, report: PlanReport) -> None:
    record(actor, Event.PLAN_REPORT_DELETED, report.plan, title=report.title, body=report.body)
    report.delete()
