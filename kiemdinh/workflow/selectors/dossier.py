"""The dossier as submitted (workflow: it reads the self-assessment and the evidence register): what a cycle's snapshot holds, its hash, and the rule that a submitted or accepted cycle is
shown and printed exactly as it was submitted or accepted (issue #18).

A snapshot is taken when the principal submits (`cycle_submit`); the authority accepts that snapshot. From then on the
snapshot and its hash are the reference:

- the rows a frozen cycle's pages and documents read cannot change: the cycle's own rows refuse every write
  (`selfassessment.services.ensure_editable`), and the evidence items it shares with later cycles are versioned, a later cycle's edit
  making a version of its own (`evidence.services`);
- what is not the cycle's own (the school's name, address, managing unit) is printed from the snapshot;
- before a document of a frozen cycle is built, `dossier_check` compares the rows with the snapshot and refuses on any
  difference: no document can ever show something other than what was submitted or accepted.

Snapshots made before this format (no "format" key) are kept as they are; they are not compared, and their school part
is read live.
"""

import hashlib
import json

from django.core.exceptions import ValidationError

from kiemdinh.evidence.models import CycleEvidence, EvidenceCitation
from kiemdinh.frameworks.subjects import level4_code_key
from kiemdinh.selfassessment.models import (
    AssessmentPlan,
    CouncilDecision,
    CouncilMember,
    CriterionAssignment,
    CriterionForm,
    Cycle,
    CycleSnapshot,
    IndicatorRating,
    Level4Rating,
    PlanActivity,
    SchoolStatistics,
    ScopeAnalysis,
    WorkingGroup,
    indicator_key,
)
from kiemdinh.selfassessment.selectors import live_evaluation, live_school_profile, reference_snapshot, report_texts

FORMAT = 2


class DossierChanged(ValidationError):
    """The rows of a submitted or accepted cycle differ from its snapshot."""


def snapshot_hash(content: dict) -> str:
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


# --- The content ----------------------------------------------------------------------------------------------------


def dossier_content(cycle: Cycle) -> dict:
    """Everything the authority receives, as plain JSON: the school, results, ratings, forms, evidence (the version
    each code cites, with its files), council and the decision forming it, assignments, plan and timeline, worksheet, Phần I statistics and
    report texts. A fixed number of queries (about 16)."""
    evaluation = live_evaluation(cycle)
    ratings = {
        f"{code}/{indicator_key(level, letter)}": achieved
        for code, level, letter, achieved in IndicatorRating.objects.filter(cycle=cycle).values_list(
            "indicator__criterion__code", "indicator__level", "indicator__letter", "achieved"
        )
    }
    level4 = dict(Level4Rating.objects.filter(cycle=cycle).values_list("item__code", "achieved"))
    forms = {
        form.subject.code_key: {
            "descriptions": form.descriptions,
            **{f: getattr(form, f) for f in CriterionForm.TEXT_FIELDS},
        }
        for form in CriterionForm.objects.filter(cycle=cycle).select_related("criterion", "level4_item")
    }
    citations: dict[int, list[str]] = {}
    for link_id, code in EvidenceCitation.objects.filter(cycle_evidence__cycle=cycle).values_list(
        "cycle_evidence_id", "criterion__code"
    ):
        citations.setdefault(link_id, []).append(code)
    evidence = {}
    links = CycleEvidence.objects.filter(cycle=cycle).select_related("version", "criterion")
    for link in links.prefetch_related("version__files"):
        version = link.version
        evidence[link.code] = {
            "criterion": link.criterion.code,
            "box": link.box,
            "evidence": link.evidence_id,
            "version": version.number,
            "name": version.name,
            "issue_ref": version.issue_ref,
            "issued_by": version.issued_by,
            "note": version.note,
            "link": version.link,
            "valid_until": _iso(version.valid_until),
            "files": sorted([f.sha256, f.original_name, f.file.name] for f in version.files.all()),
            "cited_by": sorted(citations.get(link.pk, [])),
        }
    council = [
        [m.full_name, m.job_title, m.role, m.group.name if m.group else ""]
        for m in CouncilMember.objects.filter(cycle=cycle).select_related("group")
    ]
    groups = [[g.name, g.note] for g in WorkingGroup.objects.filter(cycle=cycle)]
    assignments = {
        a.subject.code_key: [a.group.name if a.group else "", a.member.full_name if a.member else ""]
        for a in CriterionAssignment.objects.filter(cycle=cycle).select_related(
            "criterion", "level4_item", "group", "member"
        )
    }
    plan = (
        AssessmentPlan.objects.filter(cycle=cycle)
        .values("number", "issued_on", "purpose", "scope", "tools", "resources", "hired_experts", "evidence_collection")
        .first()
    )
    activities = [
        [step, title, _iso(starts), _iso(ends), owner, note]
        for step, title, starts, ends, owner, note in PlanActivity.objects.filter(cycle=cycle).values_list(
            "step", "title", "starts_on", "ends_on", "owner", "note"
        )
    ]
    worksheet = {}
    for row in ScopeAnalysis.objects.filter(cycle=cycle).select_related("indicator__criterion", "level4_item"):
        key = (
            f"{row.indicator.criterion.code}/{indicator_key(row.indicator.level, row.indicator.letter)}"
            if row.indicator_id
            else level4_code_key(row.level4_item.code)
        )
        worksheet[key] = [row.meaning, row.questions, row.evidence_needed, row.sources]
    statistics = dict(SchoolStatistics.objects.filter(cycle=cycle).values_list("table", "data"))
    decision = CouncilDecision.objects.filter(cycle=cycle).values_list("number", "issued_on").first()
    return {
        "format": FORMAT,
        "school": live_school_profile(cycle),
        "school_year": cycle.school_year,
        "framework": cycle.framework.code,
        "result": evaluation.as_contract(),
        "ratings": ratings,
        "level4": level4,
        "forms": forms,
        "evidence": evidence,
        "council": council,
        "council_decision": [decision[0], _iso(decision[1])] if decision else None,
        "groups": groups,
        "assignments": assignments,
        "plan": {k: _iso(v) for k, v in (plan or {}).items()},
        "activities": activities,
        "worksheet": worksheet,
        "statistics": statistics,
        "report_texts": report_texts(cycle),
    }


def matches(snapshot: CycleSnapshot, cycle: Cycle) -> bool:
    """Whether the cycle's rows still hold what the snapshot holds. Two parts are the snapshot's own and not compared:
    the school (renamed since, it does not change a dossier) and the result, which the rule engine derives from the
    compared ratings and which stays as filed (see selfassessment.selectors.cycle_evaluation). Snapshots of the old format are not
    compared."""
    if snapshot.content.get("format") != FORMAT:
        return True
    live = dossier_content(cycle)
    live["school"] = snapshot.content["school"]
    live["result"] = snapshot.content["result"]
    return snapshot_hash(live) == snapshot.content_hash


def dossier_check(cycle: Cycle) -> CycleSnapshot | None:
    """For a submitted or accepted cycle: its reference snapshot, after checking that the rows still match it
    (DossierChanged otherwise). None for an editable cycle."""
    snapshot = reference_snapshot(cycle)
    if snapshot is not None and not matches(snapshot, cycle):
        raise DossierChanged(
            f"Dữ liệu của hồ sơ tự đánh giá năm học {cycle.school_year} không còn khớp với bản đã "
            f"{'được chấp nhận' if snapshot.accepted else 'nộp'} (mã kiểm tra {snapshot.content_hash[:12]}). "
            "Không xuất văn bản để tránh sai lệch; hãy báo quản trị hệ thống."
        )
    return snapshot
