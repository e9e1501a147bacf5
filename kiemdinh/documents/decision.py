"""A recognition decision (quyết định công nhận) as a Word document, in the layout of Nghị định 30/2020/NĐ-CP.

"QUYẾT ĐỊNH / Về việc công nhận … đạt kiểm định chất lượng giáo dục cấp độ X" (or "… đạt chuẩn quốc gia mức độ Y"),
the issuing body's header, the authority line ("GIÁM ĐỐC SỞ GIÁO DỤC VÀ ĐÀO TẠO", "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH …"),
the "Căn cứ" lines (the circular of the cycle's framework, the external evaluation team's report), "QUYẾT ĐỊNH:",
Điều 1 (the recognition, valid 05 years from signing), Điều 2 (in force), Điều 3 (who carries it out), "Nơi nhận" and
the signature block. Several decisions (the grade and the level of one evaluation) go one after the other, each on
its own page. Whatever the record lacks (number, signer) is a red marker, listed in `missing`.
"""

from dataclasses import dataclass

from docx.shared import Pt

from kiemdinh.core.office.docx_kit import national_header, new_document, page_break, para, signature_block, to_bytes
from kiemdinh.core.office.missing import Missing, MissingLog
from kiemdinh.documents.common import place_date, short_place, vn_date
from kiemdinh.evaluation.services.issuing import PEOPLES_COMMITTEE, province_place
from kiemdinh.frameworks.models import FrameworkVersion
from kiemdinh.recognition.models import VALID_YEARS, Decision, DecisionKind, years_after
from kiemdinh.selfassessment.selectors import CycleLookupError, cycle_by_school_and_year
from kiemdinh.units.models import framework_code_for
from kiemdinh.units.selectors import TreeOn

CIRCULAR_NUMBER_PREFIX = "Thông tư "


@dataclass(frozen=True)
class DecisionText:
    """One decision, as printed."""

    kind: str
    label: str  # "CĐ3", "MĐ2"
    authority: str  # the body above the issuer (first header line), "" for a People's Committee
    issuer: str  # second header line (bold)
    number: str | Missing
    place_date: str | Missing
    subject: str  # "Về việc công nhận …"
    acting: str  # "GIÁM ĐỐC SỞ GIÁO DỤC VÀ ĐÀO TẠO"
    bases: tuple[str, ...]  # the "Căn cứ …;" lines and "Theo đề nghị …"
    article1: str
    article2: str
    article3: str
    recipients: tuple[str, ...]
    signer_title: str  # "GIÁM ĐỐC", "CHỦ TỊCH"
    signer_name: str | Missing
    revoked: str  # "" or a note that the decision was revoked


@dataclass(frozen=True)
class DecisionDocument:
    school_code: str
    school_name: str
    school_year: str  # the evaluated cycle's school year, or the signing year of a decision entered from paper
    decisions: tuple[DecisionText, ...]
    missing: tuple[str, ...]

    def filename(self, fmt: str) -> str:
        labels = "-".join(d.label.replace("Đ", "D") for d in self.decisions)  # an ASCII name for every client
        return f"Quyet-dinh-cong-nhan-{labels}-{self.school_code}-{self.school_year}.{fmt}"

    def display_name(self, fmt: str) -> str:
        labels = ", ".join(d.label for d in self.decisions)
        return f"Quyết định công nhận {labels} - {self.school_name}.{fmt}"


def _circular_basis(framework: FrameworkVersion | None, log: MissingLog) -> str:
    if framework is None:
        return f"Căn cứ {log.missing('thông tư quy định về kiểm định và công nhận đạt chuẩn quốc gia')};"
    number = framework.circular.removeprefix(CIRCULAR_NUMBER_PREFIX)
    issued = framework.issued
    return (
        f"Căn cứ Thông tư số {number} ngày {issued.day:02d} tháng {issued.month:02d} năm {issued.year} của Bộ trưởng "
        f"Bộ Giáo dục và Đào tạo ban hành {framework.title[:1].upper()}{framework.title[1:]};"
    )


def _location(chain) -> str:
    """ "Xã An Bình, Huyện Đông Sơn, Tỉnh Thử Nghiệm": the school's unit and those above it, nearest first, as they
    were on the decision's date."""
    return ", ".join(unit.name for unit in reversed(chain))


def _one(decision: Decision, chain, frameworks: dict, log: MissingLog) -> DecisionText:
    school = decision.school
    province = chain[0]
    committee = decision.issuer.startswith(PEOPLES_COMMITTEE)
    place = province_place(province)  # "tỉnh Thử Nghiệm"
    if committee:
        # ỦY BAN NHÂN DÂN / TỈNH … : the committee has no superior line above it.
        authority, issuer = "", f"{PEOPLES_COMMITTEE}\n{place}"
        acting, signer_title = f"CHỦ TỊCH {PEOPLES_COMMITTEE} {place}".upper(), "CHỦ TỊCH"
    else:
        # UBND TỈNH … / SỞ GIÁO DỤC VÀ ĐÀO TẠO: the department under the province's committee.
        body = decision.issuer.removesuffix(f" {place}").strip()
        authority = f"UBND {place}"
        issuer = body or log.missing("cơ quan ban hành")
        acting, signer_title = f"GIÁM ĐỐC {body}".upper() if body else "GIÁM ĐỐC", "GIÁM ĐỐC"
    team = decision.team
    if team is not None:
        cycle = team.registration.cycle
        framework = cycle.framework
    else:
        framework = frameworks.get(framework_code_for(school.school_type, decision.decided_on))
    bases = [_circular_basis(framework, log)]
    if team is not None:
        established = f" thành lập theo Quyết định số {team.decision_number}" if team.decision_number else ""
        if team.decision_number and team.decision_on:
            established += f" ngày {vn_date(team.decision_on)}"
        if team.decision_number and team.issuer:
            established += f" của {team.issuer}"
        final = f" ngày {vn_date(team.final_report_on)}" if team.final_report_on else ""
        bases.append(
            f"Căn cứ Báo cáo đánh giá ngoài{final} của Đoàn đánh giá ngoài{established} đối với {school.name};"
        )
    if committee:
        bases.append("Theo đề nghị của Giám đốc Sở Giáo dục và Đào tạo.")
    else:
        bases[-1] = bases[-1].rstrip(";") + "."
    what = (
        f"đạt kiểm định chất lượng giáo dục cấp độ {decision.level}"
        if decision.kind == DecisionKind.ACCREDITATION
        else f"đạt chuẩn quốc gia mức độ {decision.level}"
    )
    if decision.valid_until == years_after(decision.decided_on, VALID_YEARS):
        term = "Thời hạn công nhận là 05 năm kể từ ngày ký Quyết định này."
    else:
        term = f"Quyết định có giá trị đến hết ngày {vn_date(decision.valid_until)}."
    article1 = f"Điều 1. Công nhận {school.name} ({_location(chain)}) {what}. {term}"
    article3 = (
        f"Điều 3. Chánh Văn phòng, Thủ trưởng các đơn vị có liên quan, Hiệu trưởng {school.name} chịu trách nhiệm "
        "thi hành Quyết định này."
    )
    recipients = ["Như Điều 3", "Sở Giáo dục và Đào tạo" if committee else f"UBND {place} (để báo cáo)"]
    recipients += ["Lưu: VT"]
    revoked = ""
    if decision.revoked_on:
        revoked = f"Quyết định đã bị thu hồi từ ngày {vn_date(decision.revoked_on)}: {decision.revoked_reason}"
    return DecisionText(
        kind=decision.kind,
        label=decision.label,
        authority=authority,
        issuer=str(issuer),
        number=log.value(decision.number, f"số quyết định {decision.label}"),
        place_date=place_date(short_place(province.name), decision.decided_on),
        subject=f"Về việc công nhận {school.name} {what}",
        acting=acting,
        bases=tuple(bases),
        article1=article1,
        article2="Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
        article3=article3,
        recipients=tuple(recipients),
        signer_title=signer_title,
        signer_name=log.value(decision.signer_name, f"người ký quyết định {decision.label}"),
        revoked=revoked,
    )


def decision_context(decisions) -> DecisionDocument:
    """The document of one or more decisions of one school, each naming the school's units as they were on its date
    (3 queries: the decisions with their school and team, the later changes of the tree, the units of the school's
    path; one more per level of units it has left since; one for the framework of decisions entered from paper)."""
    ids = [d.pk for d in decisions]
    rows = list(
        Decision.objects.filter(pk__in=ids)
        .select_related("school__unit", "team__registration__cycle__framework")
        .order_by("decided_on", "kind", "id")  # "accreditation" before "national_standard"
    )
    if not rows:
        raise ValueError("Không có quyết định nào.")
    log = MissingLog()
    trees = {}
    for day in sorted({d.decided_on for d in rows}):
        trees[day] = TreeOn(day)
        trees[day].preload([rows[0].school.unit.path])
    wanted = {framework_code_for(d.school.school_type, d.decided_on) for d in rows if d.team_id is None}
    frameworks = {f.code: f for f in FrameworkVersion.objects.filter(code__in=wanted)} if wanted else {}
    texts = tuple(_one(d, trees[d.decided_on].school_chains([d.school])[d.school.pk], frameworks, log) for d in rows)
    first = rows[0]
    year = first.team.registration.cycle.school_year if first.team_id else str(first.decided_on.year)
    return DecisionDocument(
        school_code=first.school.code,
        school_name=first.school.name,
        school_year=year,
        decisions=texts,
        missing=log.labels,
    )


class DecisionLookupError(LookupError):
    pass


def decisions_of_school_year(school: str, year: str, kind: str | None = None) -> list[Decision]:
    """The decisions issued from the external evaluation of the school's cycle of that school year (the school by
    code or name), grade first; `kind` keeps one of them. DecisionLookupError (one Vietnamese line) when none."""
    try:
        cycle = cycle_by_school_and_year(school, year)
    except CycleLookupError as exc:
        raise DecisionLookupError(str(exc)) from exc
    decisions = Decision.objects.filter(team__registration__cycle=cycle).select_related("school")
    if kind:
        decisions = decisions.filter(kind=kind)
    found = sorted(decisions, key=lambda d: (d.kind != DecisionKind.ACCREDITATION, d.decided_on, d.pk))
    if not found:
        what = f"quyết định {DecisionKind(kind).label.lower()}" if kind else "quyết định công nhận"
        raise DecisionLookupError(
            f"{cycle.school.name} chưa có {what} nào ban hành từ kết quả đánh giá ngoài năm học {cycle.school_year}."
        )
    return found


def _decision_body(doc, text: DecisionText) -> None:
    national_header(doc, authority=text.authority, issuer=text.issuer, number=text.number, place_date=text.place_date)
    para(doc, "QUYẾT ĐỊNH", bold=True, align="center", size=Pt(14), space_after=Pt(0))
    para(doc, text.subject, bold=True, align="center")
    para(doc, "")
    para(doc, text.acting, bold=True, align="center")
    para(doc, "")
    for line in text.bases:
        para(doc, line, italic=True, align="justify", first_line_indent=True)
    para(doc, "")
    para(doc, "QUYẾT ĐỊNH:", bold=True, align="center")
    for article in (text.article1, text.article2, text.article3):
        head, _, rest = article.partition(". ")
        paragraph = para(doc, f"{head}. ", bold=True, align="justify", first_line_indent=True)
        paragraph.add_run(rest)
    if text.revoked:
        para(doc, text.revoked, italic=True, align="justify")
    para(doc, "")
    signature_block(doc, recipients=text.recipients, title=text.signer_title, name=text.signer_name)


def decision_docx(ctx: DecisionDocument) -> bytes:
    doc = new_document()
    for index, text in enumerate(ctx.decisions):
        if index:
            page_break(doc)
        _decision_body(doc, text)
    return to_bytes(doc)
