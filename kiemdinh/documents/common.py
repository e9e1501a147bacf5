"""What every document of a cycle shares: who issues it, where and when, for which school year and circular."""

import re
from dataclasses import dataclass
from datetime import date

from kiemdinh.core.office.missing import Missing, MissingLog
from kiemdinh.frameworks.choices import Regime
from kiemdinh.selfassessment.models import (
    CouncilMember,
    CouncilRole,
    CriterionAssignment,
    Cycle,
    CycleTransition,
    PlanActivity,
)
from kiemdinh.selfassessment.selectors import school_profile

UNIT_PREFIXES = re.compile(r"^(xã|phường|thị trấn|thị xã|thành phố|huyện|quận|tỉnh|đặc khu)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class CycleHeader:
    school_name: str
    school_type: str
    school_code: str
    authority: str  # the body above the school, first line of the header table
    place: str  # "Thanh Chấn" in "Thanh Chấn, ngày … tháng … năm …"
    school_year: str
    framework_code: str
    circular: str
    regime: str
    principal: str | Missing
    report_date: date | Missing

    @property
    def place_date(self) -> str | Missing:
        return place_date(self.place, self.report_date)

    @property
    def is_2018(self) -> bool:
        return self.regime == Regime.R2018


def place_date(place: str, when: date | Missing | None) -> str | Missing:
    if isinstance(when, Missing) or when is None:
        return when or Missing("ngày ban hành")
    # Nghị định 30/2020/NĐ-CP: a day below 10 and the months 1 and 2 take a leading zero ("ngày 05 tháng 02"),
    # other months do not ("ngày 24 tháng 9 năm 2021", as the seeds write it).
    month = f"{when.month:02d}" if when.month < 3 else str(when.month)
    return f"{place}, ngày {when.day:02d} tháng {month} năm {when.year}"


def vn_date(when: date | None) -> str:
    return f"{when.day:02d}/{when.month:02d}/{when.year}" if when else ""


def short_place(unit_name: str) -> str:
    return UNIT_PREFIXES.sub("", unit_name or "").strip() or unit_name


def authority_of(unit) -> str:
    """The managing body printed above the school's name: the unit's education office, else its People's Committee."""
    return authority_named(unit.name, unit.education_office)


def authority_named(unit_name: str, education_office: str) -> str:
    return education_office or f"UBND {unit_name}"


def cycle_header(cycle: Cycle, log: MissingLog) -> CycleHeader:
    """3 queries: the chair of the council, the report date (end of step 5 in the plan, else the submission) and, for
    a submitted or accepted cycle, the school as it was then (its snapshot)."""
    school = school_profile(cycle)
    chair = (
        CouncilMember.objects.filter(cycle=cycle, role=CouncilRole.CHAIR).values_list("full_name", flat=True).first()
    )
    report_end = (
        PlanActivity.objects.filter(cycle=cycle, step=5, ends_on__isnull=False)
        .order_by("-ends_on")
        .values_list("ends_on", flat=True)
        .first()
    )
    if report_end is None:
        submitted = (
            CycleTransition.objects.filter(cycle=cycle, kind=CycleTransition.Kind.SUBMITTED)
            .order_by("at")
            .values_list("at", flat=True)
            .first()
        )
        report_end = submitted.date() if submitted else None
    return CycleHeader(
        school_name=school["name"],
        school_type=school["school_type"],
        school_code=school["code"],
        authority=authority_named(school["unit_name"], school["education_office"]),
        place=short_place(school["unit_name"]),
        school_year=cycle.school_year,
        framework_code=cycle.framework.code,
        circular=cycle.framework.circular,
        regime=cycle.framework.regime,
        principal=log.value(chair, "họ tên Chủ tịch hội đồng (hiệu trưởng)"),
        report_date=log.value(report_end, "ngày hoàn thành báo cáo (bước 5 trong kế hoạch)"),
    )


def document_header(cycle: Cycle) -> CycleHeader:
    """The header for a document that records its own gaps: cycle_header records the principal and the report date
    as missing, and each document keeps only what it prints (keep_marker). Two or three queries, and the cycle's
    school, unit and framework where not loaded yet."""
    return cycle_header(cycle, MissingLog())


def keep_marker(log: MissingLog, value):
    """A value taken from another context: its Missing marker is recorded in `log` too, since this document prints
    it."""
    if isinstance(value, Missing):
        return log.missing(value.label)
    return value


def assignment_labels(cycle: Cycle) -> dict[str, str]:
    """Who drafts each criterion and Mức 4 item ("Nhóm 1 · Trần Văn Hải"), by the subject's code key
    (frameworks.subjects: "1.1", "muc4/2"); one query."""
    labels = {}
    rows = CriterionAssignment.objects.filter(cycle=cycle).select_related("group", "member", "criterion", "level4_item")
    for a in rows:
        parts = (a.group.name if a.group else "", a.member.full_name if a.member else "")
        labels[a.subject.code_key] = " · ".join(x for x in parts if x)
    return labels
