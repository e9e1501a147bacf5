"""The catalogue form offered for download: for the cycle's framework, its columns, a heading row per standard and
criterion, one example row, and a sheet explaining how to fill each column."""

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from kiemdinh.core.tabular import workbook_bytes
from kiemdinh.evidence.imports.parsing import columns_for
from kiemdinh.frameworks.choices import Regime
from kiemdinh.frameworks.evidence_codes import code_example
from kiemdinh.frameworks.models import Criterion
from kiemdinh.selfassessment.models import Cycle

GUIDE_2018 = (
    ("TT", "Số thứ tự (không bắt buộc)."),
    (
        "Mã minh chứng",
        "Bắt buộc. Dạng [Hn-a.b-cc], ví dụ [H1-1.1-01]: n là số hộp (thường là số tiêu chuẩn), a.b là tiêu chí, "
        "cc là số thứ tự hai chữ số. Có thể ghi không có ngoặc vuông hoặc không có số hộp (1.1-01).",
    ),
    ("Tên minh chứng", "Bắt buộc với minh chứng mới."),
    ("Số, ngày ban hành", "Số, ngày ban hành, hoặc thời điểm khảo sát, điều tra, phỏng vấn, quan sát."),
    ("Nơi ban hành", "Nơi ban hành hoặc nhóm, cá nhân thực hiện."),
    ("Ghi chú", "Không bắt buộc."),
)
GUIDE_TT57 = (
    ("TT", "Số thứ tự (không bắt buộc)."),
    (
        "Mã minh chứng",
        "Bắt buộc. Dạng MC.a.b.cc, ví dụ MC.1.3.01: a.b là tiêu chí, cc là số thứ tự hai chữ số.",
    ),
    ("Tên minh chứng", "Bắt buộc với minh chứng mới."),
    (
        "Định dạng, vị trí lưu trữ hoặc đường dẫn điện tử",
        "Đường dẫn (bắt đầu bằng http:// hoặc https://) được lưu là đường dẫn điện tử; nội dung khác vào ghi chú.",
    ),
    ("Ghi chú", "Không bắt buộc."),
)
GUIDE_COMMON = (
    "Mỗi tiêu chí bắt đầu bằng một dòng tiêu đề “Tiêu chí a.b: …” (chỉ ghi ở cột đầu). Minh chứng dùng chung cho "
    "tiêu chí khác được ghi lại dưới tiêu chí đó với đúng mã cũ; hệ thống ghi nhận là trích dẫn, không tạo minh "
    "chứng mới."
)


def template_workbook(cycle: Cycle) -> bytes:
    """The catalogue form for this cycle's framework: header, a heading row per standard and criterion, an example."""
    regime = cycle.regime
    columns = columns_for(regime)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh mục minh chứng"
    sheet.append([c.label for c in columns])
    fill = PatternFill("solid", fgColor="DCE8F5")
    for index in range(1, len(columns) + 1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    widths = {"TT": 6, "Mã minh chứng": 16, "Tên minh chứng": 60}
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = widths.get(column.label, 30)
    criteria = Criterion.objects.filter(version_id=cycle.framework_id).select_related("standard")
    standard_seen = None
    example_done = False
    for criterion in criteria.order_by("standard__position", "position"):
        if criterion.standard_id != standard_seen:
            standard_seen = criterion.standard_id
            sheet.append([f"Tiêu chuẩn {criterion.standard.code}: {criterion.standard.name}"])
            sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        sheet.append([f"Tiêu chí {criterion.code}: {criterion.name}"])
        sheet.cell(row=sheet.max_row, column=1).font = Font(italic=True, bold=True)
        if not example_done:
            example = code_example(regime)
            values = {"tt": "1", "code": example, "name": "(Ví dụ) Quyết định thành lập hội đồng trường"}
            if regime == Regime.TT57:
                values["location"] = "https://example.edu.vn/minh-chung/quyet-dinh.pdf"
            else:
                values |= {"issue_ref": "Số 12/QĐ-UBND, ngày 05/9/2025", "issued_by": "UBND xã"}
            values["note"] = "Xóa dòng ví dụ này trước khi nhập"
            sheet.append([values.get(c.key, "") for c in columns])
            example_done = True
    for row in range(2, sheet.max_row + 501):
        sheet.cell(row=row, column=2).number_format = "@"
    sheet.freeze_panes = "A2"
    guide = workbook.create_sheet("Hướng dẫn")
    guide.append(["Cột", "Cách điền"])
    for cell in guide[1]:
        cell.font = Font(bold=True)
        cell.fill = fill
    for label, text in GUIDE_TT57 if regime == Regime.TT57 else GUIDE_2018:
        guide.append([label, text])
    guide.append([])
    guide.append(["Lưu ý", GUIDE_COMMON])
    guide.column_dimensions["A"].width = 30
    guide.column_dimensions["B"].width = 110
    for row in guide.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    return workbook_bytes(workbook)
