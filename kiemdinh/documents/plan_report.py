"""A report on an authority's plan (báo cáo định kỳ or đột xuất) as a DOCX in the format of Nghị định 30/2020: the
plan's issuing body in the header table, "Số: 05/BC-UBND", the place and the report's date, "BÁO CÁO" and the trích
yếu, the officer's paragraphs (numbered sub-headings bold, as in the plan), "Nơi nhận" and the plan's signer."""

from dataclasses import dataclass

from kiemdinh.core.office.docx_kit import new_document, recipient_lines, signature_block, to_bytes
from kiemdinh.documents.annual_plan.context import Header, Line, ascii_slug, blank_number, body_lines, issuer_lines
from kiemdinh.documents.annual_plan.docx import body_paragraphs, document_title, header_table
from kiemdinh.documents.common import place_date, short_place
from kiemdinh.documents.rendering import CONTENT_TYPES, Rendered
from kiemdinh.planning.models import PlanReport
from kiemdinh.planning.selectors import signer_lines
from kiemdinh.units.selectors import name_on


@dataclass(frozen=True)
class PlanReportContext:
    report_id: int
    header: Header
    title: str  # the trích yếu, as the officer wrote it
    body: tuple[Line, ...]
    recipients: tuple[str, ...]
    signer_title: tuple[str, ...]
    signer_name: str
    number: str  # as stored
    reported_on: str  # ISO date, for the file name
    missing: tuple[str, ...]

    def filename(self, fmt: str) -> str:
        """ "Bao-cao-05-BC-UBND-2024-04-15.docx"."""
        number = f"-{ascii_slug(self.number)}" if self.number else ""
        return f"Bao-cao{number}-{self.reported_on}.{fmt}"

    def display_name(self, fmt: str) -> str:
        number = f" {self.number.replace('/', '-')}" if self.number else ""
        day = "-".join(reversed(self.reported_on.split("-")))
        return f"Báo cáo{number} ngày {day}.{fmt}"


def plan_report_context(report: PlanReport) -> PlanReportContext:
    """Plain data; at most three queries (the plan and its unit, when not loaded with the report; the unit's name on
    the report's date)."""
    plan = report.plan
    place = plan.place or short_place(name_on(plan.unit, report.reported_on))
    missing = []
    if not report.number:
        missing.append("số báo cáo")
    if not plan.signer_name.strip():
        missing.append("người ký")
    return PlanReportContext(
        report_id=report.pk,
        header=Header(
            issuer_lines(plan.issuer, plan.issuer_parent),
            report.number or blank_number(plan.issuer, "BC"),
            place_date(place, report.reported_on),
        ),
        title=report.title.strip(),
        body=body_lines(report.body),
        recipients=recipient_lines(report.recipients),
        signer_title=tuple(signer_lines(plan)),
        signer_name=plan.signer_name.strip(),
        number=report.number,
        reported_on=report.reported_on.isoformat(),
        missing=tuple(missing),
    )


def plan_report_docx(ctx: PlanReportContext) -> bytes:
    doc = new_document()
    header_table(doc, ctx.header)
    document_title(doc, "BÁO CÁO", ctx.title)
    body_paragraphs(doc, ctx.body)
    signature_block(doc, recipients=ctx.recipients, title=ctx.signer_title, name=ctx.signer_name)
    return to_bytes(doc)


def render_plan_report(report: PlanReport) -> tuple[Rendered, PlanReportContext]:
    ctx = plan_report_context(report)
    return Rendered(plan_report_docx(ctx), ctx.filename("docx"), CONTENT_TYPES["docx"]), ctx
