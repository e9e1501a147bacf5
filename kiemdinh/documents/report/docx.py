"""The self-assessment report as a Word document, from its context."""

import itertools

from docx.shared import Pt

from kiemdinh.core.office import docx_kit as kit
from kiemdinh.core.office.missing import Missing
from kiemdinh.documents.report.context import CriterionPart, ReportContext
from kiemdinh.frameworks.choices import Regime


def _level_mark(criterion: CriterionPart, level: int) -> str:
    if not any(part.level == level for part in criterion.levels):
        return "—"
    return "Đạt" if criterion.level >= level else "Không đạt"


def _outline(ctx: ReportContext) -> list[tuple[int, str]]:
    entries = [(1, "DANH MỤC CÁC CHỮ VIẾT TẮT"), (1, "TỔNG HỢP KẾT QUẢ TỰ ĐÁNH GIÁ"), (1, "Phần I. CƠ SỞ DỮ LIỆU")]
    entries += [(1, "Phần II. TỰ ĐÁNH GIÁ"), (2, "A. ĐẶT VẤN ĐỀ"), (2, "B. TỰ ĐÁNH GIÁ")]
    levels = "Mức 1, 2 và 3" if ctx.header.regime == Regime.R2018 else "Mức 1 và Mức 2"
    entries.append((3, f"I. TỰ ĐÁNH GIÁ TIÊU CHÍ {levels.upper()}"))
    entries += [(3, f"Tiêu chuẩn {s.code}: {s.name}") for s in ctx.standards]
    if ctx.level4_conclusion is not None:
        entries.append((3, "II. TỰ ĐÁNH GIÁ TIÊU CHÍ MỨC 4"))
    entries += [(1, "Phần III. KẾT LUẬN CHUNG"), (1, "Phần IV. PHỤ LỤC")]
    return entries


def report_docx(ctx: ReportContext) -> bytes:
    h = ctx.header
    doc = kit.new_document()

    # Cover
    kit.national_header(doc, authority=h.authority, issuer=h.school_name)
    for _ in range(7):
        doc.add_paragraph()
    kit.para(doc, "BÁO CÁO TỰ ĐÁNH GIÁ", bold=True, align="center", size=Pt(20))
    kit.para(doc, f"Năm học {h.school_year}", bold=True, align="center", size=Pt(14))
    kit.para(doc, f"(Theo {h.circular})", italic=True, align="center")
    for _ in range(10):
        doc.add_paragraph()
    kit.para(doc, h.place_date, italic=True, align="center")
    kit.page_break(doc)

    # Contents and abbreviations
    kit.para(doc, "MỤC LỤC", bold=True, align="center", size=Pt(14))
    kit.table_of_contents(doc, _outline(ctx))
    kit.page_break(doc)
    kit.heading(doc, "DANH MỤC CÁC CHỮ VIẾT TẮT", 1)
    kit.table(doc, ["Chữ viết tắt", "Nội dung"], ctx.abbreviations, widths_cm=(4, 12))

    # Summary of results
    kit.heading(doc, "TỔNG HỢP KẾT QUẢ TỰ ĐÁNH GIÁ", 1)
    kit.heading(doc, "1. Kết quả đánh giá", 2)
    levels = ctx.levels
    title = (
        "1.1. Đánh giá tiêu chí Mức 1, 2 và 3" if h.regime == Regime.R2018 else "1.1. Đánh giá tiêu chí Mức 1 và Mức 2"
    )
    kit.para(doc, title, bold=True, italic=True)
    rows, groups = [], set()
    for standard in ctx.standards:
        groups.add(len(rows))
        rows.append([f"Tiêu chuẩn {standard.code}: {standard.name}"] + [""] * len(levels))
        for c in standard.criteria:
            label = f"Tiêu chí {c.code}" + (" (bắt buộc)" if c.mandatory and h.regime == Regime.TT57 else "")
            rows.append([label, *(_level_mark(c, k) for k in levels)])
    kit.table(
        doc,
        ["Tiêu chuẩn, tiêu chí", *(f"Mức {k}" for k in levels)],
        rows,
        group_rows=groups,
        widths_cm=(16.5 - 2.6 * len(levels), *(2.6 for _ in levels)),
    )
    counts = ctx.result["levels"]
    kit.para(
        doc,
        "; ".join(f"Mức {k}: {counts[str(k)]['achieved']}/{counts[str(k)]['total']} tiêu chí đạt" for k in levels)
        + ".",
    )
    if ctx.level4_conclusion is not None:
        kit.para(doc, "1.2. Đánh giá tiêu chí Mức 4", bold=True, italic=True)
        kit.table(
            doc,
            ["Tiêu chí Mức 4", "Đạt", "Không đạt"],
            [[f"Tiêu chí {i.code}", "x" if i.achieved else "", "" if i.achieved else "x"] for i in ctx.level4],
            widths_cm=(10, 3, 3),
        )
    kit.heading(doc, "2. Kết luận", 2)
    school_level = ctx.result["school_level"]
    verdict = f"Trường đạt Mức {school_level}." if school_level else "Trường chưa đạt Mức 1."
    extra = []
    if ctx.result.get("accreditation_grade"):
        extra.append(f"tương ứng cấp độ {ctx.result['accreditation_grade']} kiểm định chất lượng giáo dục")
    if ctx.result.get("national_standard_level"):
        extra.append(
            f"đủ điều kiện về kết quả để đề nghị công nhận đạt chuẩn quốc gia mức độ {ctx.result['national_standard_level']}"
        )
    kit.body(
        doc, verdict + (" Kết quả tự đánh giá " + "; ".join(extra) + " (sau khi được đánh giá ngoài)." if extra else "")
    )
    kit.page_break(doc)

    # Phần I
    kit.heading(doc, "Phần I. CƠ SỞ DỮ LIỆU", 1)
    kit.table(doc, ["Thông tin", "Nội dung"], ctx.school_facts, widths_cm=(5.5, 11))
    for part in ctx.statistics:
        table = part.table
        kit.para(doc, table.title, bold=True)
        if part.missing is not None:
            kit.para(doc, part.missing)
            continue
        label_width = 16.5 - 2.1 * len(table.columns)
        kit.table(
            doc,
            ["Nội dung", *(f"Năm học {y}" for y in table.columns)],
            [[row.label, *("" if v is None else str(v) for v in row.values)] for row in table.rows],
            widths_cm=(label_width, *(2.1 for _ in table.columns)),
            size=Pt(11),
        )

    # Phần II
    kit.heading(doc, "Phần II. TỰ ĐÁNH GIÁ", 1)
    kit.heading(doc, "A. ĐẶT VẤN ĐỀ", 2)
    for title, text in (
        ("1. Tình hình chung của nhà trường", ctx.intro_situation),
        ("2. Mục đích tự đánh giá", ctx.intro_purpose),
        ("3. Tóm tắt quá trình và những vấn đề nổi bật trong hoạt động tự đánh giá", ctx.intro_process),
    ):
        kit.para(doc, title, bold=True)
        kit.body(doc, text)
    kit.heading(doc, "B. TỰ ĐÁNH GIÁ", 2)
    levels_label = "MỨC 1, 2 VÀ 3" if h.regime == Regime.R2018 else "MỨC 1 VÀ MỨC 2"
    kit.heading(doc, f"I. TỰ ĐÁNH GIÁ TIÊU CHÍ {levels_label}", 3)
    for standard in ctx.standards:
        kit.heading(doc, f"Tiêu chuẩn {standard.code}: {standard.name}", 3)
        kit.para(doc, "Mở đầu", bold=True, italic=True)
        kit.body(doc, standard.opening)
        for c in standard.criteria:
            kit.heading(doc, f"Tiêu chí {c.code}: {c.name}", 4)
            for mark in c.amendment_marks:  # red like every gap in the data, never left out silently
                run = kit.para(doc, align="justify").add_run(mark)
                run.bold, run.font.color.rgb = True, kit.RED
            for level in c.levels:
                kit.para(doc, f"Mức {level.level}", bold=True, italic=True)
                for ind in level.indicators:
                    kit.para(doc, (f"{ind.letter}) " if ind.letter else "") + ind.text, italic=True, align="justify")
            kit.para(doc, "1. Mô tả hiện trạng", bold=True)
            for level in c.levels:
                kit.para(doc, f"Mức {level.level}", italic=True)
                for ind in level.indicators:
                    paragraph = kit.para(
                        doc, (f"{ind.letter}) " if ind.letter else ""), align="justify", first_line_indent=True
                    )
                    kit.write(paragraph, ind.description)
            for number, title, value in (
                (2, "Điểm mạnh", c.strengths),
                (3, "Điểm yếu", c.weaknesses),
                (4, "Kế hoạch cải tiến chất lượng", c.improvement),
            ):
                kit.para(doc, f"{number}. {title}", bold=True)
                kit.body(doc, value)
            kit.para(doc, "5. Tự đánh giá", bold=True)
            verdict = f"Đạt Mức {c.level}." if c.level else "Không đạt."
            kit.para(doc, f"Tiêu chí {c.code}: {verdict}", first_line_indent=True)
        kit.para(doc, f"Kết luận về Tiêu chuẩn {standard.code}", bold=True, italic=True)
        kit.body(doc, standard.conclusion)
    if ctx.level4_conclusion is not None:
        kit.heading(doc, "II. TỰ ĐÁNH GIÁ TIÊU CHÍ MỨC 4", 3)
        for item in ctx.level4:
            kit.heading(doc, f"Tiêu chí {item.code}" + (f" ({item.article})" if item.article else ""), 4)
            kit.para(doc, item.text, italic=True, align="justify")
            for number, title, value in (
                (1, "Mô tả hiện trạng", item.description),
                (2, "Điểm mạnh", item.strengths),
                (3, "Điểm yếu", item.weaknesses),
                (4, "Kế hoạch cải tiến chất lượng", item.improvement),
            ):
                kit.para(doc, f"{number}. {title}", bold=True)
                kit.body(doc, value)
            kit.para(doc, "5. Tự đánh giá", bold=True)
            kit.para(doc, f"Tiêu chí {item.code}: {'Đạt' if item.achieved else 'Không đạt'}.", first_line_indent=True)
        kit.para(doc, "Kết luận về các tiêu chí Mức 4", bold=True, italic=True)
        kit.body(doc, ctx.level4_conclusion)

    # Phần III
    kit.heading(doc, "Phần III. KẾT LUẬN CHUNG", 1)
    kit.body(doc, ctx.conclusion)
    kit.signature_block(doc, title="Hiệu trưởng", name=h.principal)

    # Phần IV
    kit.page_break(doc)
    kit.heading(doc, "Phần IV. PHỤ LỤC", 1)
    kit.para(doc, "DANH MỤC MÃ MINH CHỨNG", bold=True, align="center")
    rows, groups, current = [], set(), None
    numbers = itertools.count(1)
    names = {c.code: c.name for c in ctx.criteria}
    for row in ctx.evidence:
        if row.listed_under != current:
            current = row.listed_under
            groups.add(len(rows))
            rows.append([f"Tiêu chí {current}: {names.get(current, '')}", "", "", "", "", ""])
        note = row.note if row.own_criterion == row.listed_under else f"Dùng chung; {row.note}".strip("; ")
        rows.append([str(next(numbers)), row.code, row.name, row.issue_ref, row.issued_by, note])
    if rows:
        kit.table(
            doc,
            ["TT", "Mã minh chứng", "Tên minh chứng", "Số, ngày ban hành", "Nơi ban hành", "Ghi chú"],
            rows,
            widths_cm=(1.0, 2.6, 5.0, 2.9, 2.5, 2.5),
            group_rows=groups,
            size=Pt(11),
        )
    else:
        kit.para(doc, Missing("danh mục minh chứng"))
    return kit.to_bytes(doc)
