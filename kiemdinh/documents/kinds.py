"""Every document kind, in one place: a cycle's documents in the order of its download page, then the documents of an
authority's plan and the documents of neither (a decision, an external evaluation report).

Each kind is put together here from the plain functions of its module (a context builder, a renderer per format);
no module registers itself, so importing a kind's module has no side effect.
"""

from kiemdinh.documents.annual_plan.context import annual_plan_context
from kiemdinh.documents.annual_plan.docx import annual_plan_docx
from kiemdinh.documents.annual_plan.xlsx import annual_plan_xlsx
from kiemdinh.documents.appendices.council import build_council_decision, build_plan, council_decision_lacks, plan_lacks
from kiemdinh.documents.appendices.criteria import (
    build_criterion_forms,
    build_evidence_catalogue,
    build_scope_worksheet,
    criterion_forms_lacks,
    evidence_catalogue_lacks,
    scope_worksheet_lacks,
)
from kiemdinh.documents.appendices.docx import (
    council_decision_docx,
    criterion_forms_docx,
    evidence_catalogue_docx,
    plan_docx,
    scope_worksheet_docx,
)
from kiemdinh.documents.appendices.xlsx import evidence_catalogue_xlsx
from kiemdinh.documents.decision import decision_context, decision_docx
from kiemdinh.documents.dossier import build_dossier, dossier_lacks, write_dossier
from kiemdinh.documents.evaluation_report import build_evaluation_report, evaluation_report_docx
from kiemdinh.documents.improvement_plan.docx import improvement_plan_docx, monitoring_report_docx
from kiemdinh.documents.improvement_plan.monitoring import build_monitoring_report, monitoring_report_lacks
from kiemdinh.documents.improvement_plan.plan import build_improvement_plan, improvement_plan_lacks
from kiemdinh.documents.improvement_plan.xlsx import improvement_plan_xlsx
from kiemdinh.documents.rendering import DocumentKind, Rendered, build, render_context
from kiemdinh.documents.report.context import build_report, report_lacks
from kiemdinh.documents.report.docx import report_docx

# A cycle's documents, built from the cycle; the download page lists them in this order.
CYCLE_KINDS: tuple[DocumentKind, ...] = (
    DocumentKind(
        kind="report",
        title="Báo cáo tự đánh giá",
        slug="bao-cao-tu-danh-gia",
        build=build_report,
        renderers={"docx": report_docx},
        lacks=report_lacks,
    ),
    DocumentKind(
        kind="council-decision",
        title="Quyết định thành lập hội đồng tự đánh giá",
        slug="quyet-dinh-thanh-lap-hoi-dong",
        build=build_council_decision,
        renderers={"docx": council_decision_docx},
        lacks=council_decision_lacks,
    ),
    DocumentKind(
        kind="plan",
        title="Phụ lục 1: Kế hoạch tự đánh giá",
        slug="ke-hoach-tu-danh-gia",
        build=build_plan,
        renderers={"docx": plan_docx},
        lacks=plan_lacks,
    ),
    DocumentKind(
        kind="scope-worksheet",
        title="Phụ lục 2/3: Phiếu xác định nội hàm",
        slug="phieu-xac-dinh-noi-ham",
        build=build_scope_worksheet,
        renderers={"docx": scope_worksheet_docx},
        lacks=scope_worksheet_lacks,
    ),
    DocumentKind(
        kind="evidence-catalogue",
        title="Phụ lục 4: Danh mục mã minh chứng",
        slug="danh-muc-ma-minh-chung",
        build=build_evidence_catalogue,
        renderers={"docx": evidence_catalogue_docx, "xlsx": evidence_catalogue_xlsx},
        lacks=evidence_catalogue_lacks,
    ),
    DocumentKind(
        kind="criterion-forms",
        title="Phụ lục 5a/5b: Phiếu đánh giá tiêu chí",
        slug="phieu-danh-gia-tieu-chi",
        build=build_criterion_forms,
        renderers={"docx": criterion_forms_docx},
        lacks=criterion_forms_lacks,
    ),
    DocumentKind(
        kind="improvement-plan",
        title="Kế hoạch cải tiến chất lượng",
        slug="ke-hoach-cai-tien-chat-luong",
        build=build_improvement_plan,
        renderers={"docx": improvement_plan_docx, "xlsx": improvement_plan_xlsx},
        lacks=improvement_plan_lacks,
    ),
    DocumentKind(
        kind="monitoring-report",
        title="Báo cáo giám sát thực hiện kế hoạch cải tiến chất lượng",
        slug="bao-cao-giam-sat-ke-hoach-cai-tien",
        build=build_monitoring_report,
        renderers={"docx": monitoring_report_docx},
        lacks=monitoring_report_lacks,
    ),
    DocumentKind(
        kind="dossier",
        title="Hồ sơ điện tử cho đoàn đánh giá ngoài (tệp nén)",
        slug="ho-so-tu-danh-gia",
        build=build_dossier,
        writers={"zip": write_dossier},
        note="Mở tệp index.html sau khi giải nén; không cần mạng.",
        lacks=dossier_lacks,
    ),
)

# An authority's plan (kiemdinh.planning), built from an AnnualPlan; its context names the file (`filename(fmt)`).
ANNUAL_PLAN = DocumentKind(
    kind="annual-plan",
    title="Kế hoạch của cơ quan quản lý",
    slug="Ke-hoach",
    build=annual_plan_context,
    renderers={"docx": annual_plan_docx, "xlsx": annual_plan_xlsx},
)

# Documents of neither a cycle nor a plan: the export command's branch of each finds its object; the context names the
# file, as for plans.
DECISION = DocumentKind(
    kind="decision",
    title="Quyết định công nhận",
    slug="Quyet-dinh-cong-nhan",
    build=decision_context,
    renderers={"docx": decision_docx},
    note="Quyết định công nhận đạt kiểm định chất lượng giáo dục / đạt chuẩn quốc gia, từ kết quả đánh giá ngoài.",
)
EVALUATION_REPORT = DocumentKind(
    kind="evaluation-report",
    title="Báo cáo đánh giá ngoài",
    slug="bao-cao-danh-gia-ngoai",
    build=build_evaluation_report,
    renderers={"docx": evaluation_report_docx},
)

_CYCLE = {kind.kind: kind for kind in CYCLE_KINDS}
PLAN_KINDS = {ANNUAL_PLAN.kind: ANNUAL_PLAN}
STANDALONE_KINDS = {kind.kind: kind for kind in (DECISION, EVALUATION_REPORT)}


def get(kind_name: str) -> DocumentKind:
    """A cycle's document kind by name; KeyError naming every kind there is."""
    try:
        return _CYCLE[kind_name]
    except KeyError:
        raise KeyError(
            f"Không có loại văn bản “{kind_name}”; có: {', '.join([*_CYCLE, *PLAN_KINDS, *STANDALONE_KINDS])}"
        ) from None


def plan_kind(kind_name: str) -> DocumentKind | None:
    return PLAN_KINDS.get(kind_name)


def standalone_kind(kind_name: str) -> DocumentKind | None:
    return STANDALONE_KINDS.get(kind_name)


def cycle_lacking(cycle) -> list[tuple[DocumentKind, tuple[str, ...]]]:
    """Every document of the cycle, in the download page's order, with what it lacks, without building each one:
    the report's context is built once and each kind's `lacks` reads from it (a few queries of its own at most)."""
    report = build_report(cycle)
    return [(kind, kind.lacks(cycle, report)) for kind in CYCLE_KINDS]


def render(kind_name: str, cycle, fmt: str) -> Rendered:
    """One document of a cycle, built (rendering.build: checked against its snapshot) and rendered."""
    kind = get(kind_name)
    return render_context(kind, cycle, build(kind, cycle), fmt)
