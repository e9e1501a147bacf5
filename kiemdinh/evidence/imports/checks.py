"""The check of a catalogue's rows against the cycle's framework and register as they are now: each row annotated
with its normalised code, its criterion and what it will do (a new item, one already in the cycle, a citation), and
every error with the row and column Excel shows. Reads only; run at prepare and again at commit."""

from dataclasses import dataclass

from kiemdinh.core.tabular import shown
from kiemdinh.core.text import fold
from kiemdinh.evidence.imports.parsing import ALL_COLUMNS, COLUMN_LABEL
from kiemdinh.evidence.models import CycleEvidence, EvidenceCitation
from kiemdinh.frameworks.evidence_codes import code_example, default_box, parse_code
from kiemdinh.frameworks.models import Criterion
from kiemdinh.selfassessment.models import Cycle


@dataclass
class Plan:
    """What a checked catalogue will do: the rows annotated, the errors, and the writes to make."""

    rows: list[dict]
    errors: list[dict]
    new_items: list[dict]  # rows creating an item
    citations: list[tuple[str, str]]  # (code, criterion code)


def _same_name(a: str, b: str) -> bool:
    return fold(a) == fold(b)


def check_rows(cycle: Cycle, raw_rows: list[dict]) -> Plan:
    """Annotate every row (normalised code, criterion, what it will do) and collect the errors, against the cycle's
    framework and register as they are now (2 queries)."""
    criteria = {c.code: c for c in Criterion.objects.filter(version_id=cycle.framework_id)}
    existing = {
        link.code: link for link in CycleEvidence.objects.filter(cycle=cycle).select_related("version", "criterion")
    }
    existing_citations = set(
        EvidenceCitation.objects.filter(cycle_evidence__cycle=cycle).values_list(
            "cycle_evidence__code", "criterion__code"
        )
    )
    regime = cycle.regime
    errors: list[dict] = []

    def error(row, key, message):
        # A message may quote the cell: stored as shown, whatever the cell held.
        errors.append({"row": row["row"], "column": COLUMN_LABEL[key], "message": shown(message, 400)})

    rows, new_items, citations = [], [], []
    first_row: dict[str, dict] = {}  # code → the row that defines it in this file
    listed: set[tuple[str, str]] = set()  # (code, heading criterion) already listed in this file
    heading = ""  # current criterion heading ("" before any, or after a standard heading)
    for raw in raw_rows:
        row = dict(raw)
        rows.append(row)
        if row["kind"] == "heading":
            if row["what"] == "criterion":
                heading = row["code"] if row["code"] in criteria else ""
                if row["code"] not in criteria:
                    error(row, "heading", f"Tiêu chí {row['code']} không có trong {cycle.framework}.")
            else:
                heading = ""
                if not any(code.split(".")[0] == row["code"] for code in criteria):
                    error(row, "heading", f"Tiêu chuẩn {row['code']} không có trong {cycle.framework}.")
            continue
        if row["kind"] != "item":
            continue
        row["heading"] = heading
        row["action"] = ""
        for column in ALL_COLUMNS:
            value = row.get(column.key, "")
            if column.max_length and len(value) > column.max_length:
                error(row, column.key, f"Dài quá {column.max_length} ký tự (hiện có {len(value)}).")
        if not row["code"]:
            error(row, "code", "Thiếu mã minh chứng.")
            continue
        parsed = parse_code(row["code"])
        if parsed is None:
            error(row, "code", f"Mã minh chứng “{shown(row['code'])}” không đúng dạng. Ví dụ: {code_example(regime)}.")
            continue
        if parsed.regime != regime:
            error(
                row,
                "code",
                f"Mã “{shown(row['code'])}” không phải dạng mã của {cycle.framework.short_name}. "
                f"Đợt này dùng mã dạng {code_example(regime)}.",
            )
            continue
        code = parsed.canonical
        row["normalized"] = code
        row["criterion"] = parsed.criterion_code
        row["box"] = parsed.box if parsed.box is not None else default_box(parsed.criterion_code)
        row["sequence"] = parsed.sequence
        if parsed.criterion_code not in criteria:
            error(
                row,
                "code",
                f"Mã {code} chỉ tiêu chí {parsed.criterion_code}, tiêu chí này không có trong {cycle.framework}.",
            )
            continue
        cite_under = heading if heading and heading != parsed.criterion_code else ""
        row["cite_under"] = cite_under
        where = heading or parsed.criterion_code
        if (code, where) in listed:
            error(row, "code", f"Mã {code} đã được liệt kê dưới tiêu chí {where} ở một dòng phía trên.")
            continue
        listed.add((code, where))
        if code in first_row:
            first = first_row[code]
            if row["name"] and not _same_name(row["name"], first["name"]):
                error(
                    row,
                    "name",
                    f"Mã {code} đã dùng ở dòng {first['row']} cho minh chứng “{shown(first['name'], 120)}”; "
                    "một mã chỉ ứng với một minh chứng.",
                )
                continue
            row["action"] = "cite" if cite_under else "listed"
        elif code in existing:
            link = existing[code]
            if row["name"] and not _same_name(row["name"], link.version.name):
                error(
                    row,
                    "name",
                    f"Mã {code} đã có trong đợt tự đánh giá với tên “{shown(link.version.name, 120)}”.",
                )
                continue
            first_row[code] = {"row": row["row"], "name": link.version.name}
            row["action"] = "cite" if cite_under else "existing"
        else:
            if not row["name"]:
                error(row, "name", "Thiếu tên minh chứng.")
                continue
            first_row[code] = row
            row["action"] = "new"
            new_items.append(row)
        if cite_under and (code, cite_under) not in existing_citations:
            citations.append((code, cite_under))
    return Plan(rows=rows, errors=sorted(errors, key=lambda e: e["row"]), new_items=new_items, citations=citations)
