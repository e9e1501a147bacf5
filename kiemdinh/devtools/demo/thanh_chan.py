"""The demo's complete self-assessment cycle (Thanh Chấn 2021–2022), built from a data file through the real services.

The content (council, plan, evidence catalogue, every criterion form) is in data/thanh_chan_2021.yaml; it was
written to agree with the school's real improvement plan in the seed documents, which the same file reproduces (step 7,
with its monitoring).
"""

from datetime import date
from functools import cache
from pathlib import Path

import yaml

from kiemdinh.accounts.models import User
from kiemdinh.evidence.services import evidence_cite, evidence_create
from kiemdinh.frameworks.models import Criterion, Indicator, Level4Item
from kiemdinh.improvement import services as improvement
from kiemdinh.improvement.models import ImprovementPlan, MonitorRole
from kiemdinh.selfassessment.council.services import (
    council_decision_save,
    council_member_create,
    criterion_assignments_save,
    plan_activity_create,
    plan_update,
    scope_analysis_save,
    working_group_create,
)
from kiemdinh.selfassessment.models import Cycle, indicator_key
from kiemdinh.selfassessment.services import (
    criterion_form_save,
    cycle_record_ratings,
    report_texts_save,
    school_statistics_save,
)
from kiemdinh.workflow.services import cycle_accept, cycle_publish, cycle_submit

DATA_FILE = Path(__file__).resolve().parent / "data" / "thanh_chan_2021.yaml"


@cache
def content() -> dict:
    return yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))


def fill_cycle(*, cycle: Cycle, principal: User, reviewer: User | None, data: dict | None = None) -> Cycle:
    """Council, plan, worksheet, evidence, forms and ratings from the data; then submitted, accepted and published;
    then the improvement plan, issued and monitored."""
    data = data or content()
    criteria = {c.code: c for c in Criterion.objects.filter(version=cycle.framework)}
    items = {i.code: i for i in Level4Item.objects.filter(version=cycle.framework)}
    _council(cycle, principal, data["council"], criteria, items)
    _plan(cycle, principal, data["plan"])
    _worksheet(cycle, principal, data.get("worksheet", {}), criteria)
    _evidence(cycle, principal, data["evidence"], criteria)
    _forms(cycle, principal, data, criteria, items)
    report_texts_save(actor=principal, cycle=cycle, texts={str(k): v for k, v in data.get("report", {}).items()})
    for table, values in data.get("statistics", {}).items():
        school_statistics_save(
            actor=principal,
            cycle=cycle,
            table=table,
            values={row: {cycle.school_year: str(n)} for row, n in values.items()},
        )
    # The improvement plan is issued with the report (a submission needs it); its reviews follow in the data.
    if "improvement" in data:
        fill_improvement(cycle=cycle, principal=principal, data=data["improvement"], criteria=criteria, items=items)
    cycle_submit(actor=principal, cycle=cycle, comment="Hội đồng tự đánh giá đã thông qua báo cáo.")
    cycle_accept(actor=reviewer, cycle=cycle, comment="Hồ sơ tự đánh giá đầy đủ, đúng quy trình.")
    cycle_publish(actor=principal, cycle=cycle)
    return cycle


def _council(cycle, actor, council: dict, criteria, items) -> None:
    groups = {
        g["name"]: working_group_create(actor=actor, cycle=cycle, name=g["name"], note=g.get("note", ""))
        for g in council["groups"]
    }
    accounts = {u.username: u for u in User.objects.filter(username__in=[m.get("account") for m in council["members"]])}
    for m in council["members"]:
        council_member_create(
            actor=actor,
            cycle=cycle,
            full_name=m["full_name"],
            job_title=m.get("job_title", ""),
            role=m["role"],
            user=accounts.get(m.get("account")),
            group=groups.get(m.get("group")),
        )
    if "decision" in council:
        council_decision_save(
            actor=actor, cycle=cycle, number=council["decision"]["number"], issued_on=council["decision"]["issued_on"]
        )
    assignments = council["assignments"]
    criterion_assignments_save(
        actor=actor,
        cycle=cycle,
        criteria={criteria[code].pk: (groups[name].pk, None) for code, name in assignments["criteria"].items()},
        level4_items={
            items[str(code)].pk: (groups[name].pk, None)
            for code, name in assignments.get("level4", {}).items()
            if str(code) in items
        },
    )


def _plan(cycle, actor, plan: dict) -> None:
    plan_update(
        actor=actor,
        cycle=cycle,
        **{
            k: plan.get(k, "")
            for k in ("number", "purpose", "scope", "tools", "resources", "hired_experts", "evidence_collection")
        },
        issued_on=plan.get("issued_on"),
    )
    for activity in plan["activities"]:
        plan_activity_create(
            actor=actor,
            cycle=cycle,
            title=activity["title"],
            step=activity.get("step"),
            starts_on=activity.get("starts_on"),
            ends_on=activity.get("ends_on"),
            owner=activity.get("owner", ""),
            note=activity.get("note", ""),
        )


def _worksheet(cycle, actor, worksheet: dict, criteria) -> None:
    indicators = {
        (ind.criterion.code, indicator_key(ind.level, ind.letter)): ind
        for ind in Indicator.objects.filter(criterion__version=cycle.framework).select_related("criterion")
    }
    for code, rows in worksheet.items():
        for key, row in rows.items():
            scope_analysis_save(actor=actor, cycle=cycle, indicator=indicators[(str(code), str(key))], **row)


def _evidence(cycle, actor, evidence: list[dict], criteria) -> None:
    """Items are created in code order, so the generated codes are the catalogue's; a mismatch is a data error."""
    ordered = sorted(evidence, key=lambda e: (criteria[e["criterion"]].position, e["code"]))
    links = {}
    for e in ordered:
        link = evidence_create(
            actor=actor,
            cycle=cycle,
            criterion=criteria[e["criterion"]],
            name=e["name"],
            issue_ref=e.get("issue_ref", ""),
            issued_by=e.get("issued_by", ""),
            note=e.get("note", ""),
        )
        if link.code != e["code"]:
            raise ValueError(f"demo evidence {e['code']} was given code {link.code}: the catalogue has a gap")
        links[e["code"]] = link
    for e in evidence:
        for code in e.get("cited_by", []):
            evidence_cite(actor=actor, cycle_evidence=links[e["code"]], criterion=criteria[str(code)])


def _forms(cycle, actor, data: dict, criteria, items) -> None:
    results: dict[str, dict[int, dict[str, bool]]] = {}
    for code, form in data["forms"].items():
        criterion = criteria[str(code)]
        criterion_form_save(
            actor=actor,
            cycle=cycle,
            criterion=criterion,
            base_version=0,
            descriptions={str(k): v for k, v in form["descriptions"].items()},
            strengths=form.get("strengths", ""),
            weaknesses=form.get("weaknesses", ""),
            improvement=form.get("improvement", ""),
        )
    for code, level, letter in Indicator.objects.filter(criterion__version=cycle.framework).values_list(
        "criterion__code", "level", "letter"
    ):
        results.setdefault(code, {}).setdefault(level, {})[letter] = True  # every Mức 1–3 requirement met
    level4 = {}
    for code, item in data.get("level4", {}).items():
        code = str(code)
        level4[code] = bool(item["achieved"])
        criterion_form_save(
            actor=actor,
            cycle=cycle,
            level4_item=items[code],
            base_version=0,
            descriptions={"4": item.get("description", "")},
            strengths=item.get("strengths", ""),
            weaknesses=item.get("weaknesses", ""),
            improvement=item.get("improvement", ""),
        )
    cycle_record_ratings(actor=actor, cycle=cycle, indicators=results, level4=level4)


# --- step 7: the improvement plan and its monitoring ---------------------------------------------------------------


def _month(value) -> date | None:
    """ "2021-10" → 1 October 2021 (a plan line's months are dates; the services keep their month)."""
    if not value:
        return None
    year, month = str(value).split("-")
    return date(int(year), int(month), 1)


LINE_KEYS = {"key", "criterion", "level4", *improvement.LINE_FIELDS}


def fill_improvement(*, cycle: Cycle, principal: User, data: dict, criteria=None, items=None) -> ImprovementPlan:
    """The cycle's improvement plan from the data, through the services: header, lines, coverage notes, issue, the
    monitoring team, the review schedule and the recorded reviews. A cycle that has a plan already keeps it as it is."""
    existing = ImprovementPlan.objects.filter(cycle=cycle).first()
    if existing is not None:
        return existing
    criteria = criteria or {c.code: c for c in Criterion.objects.filter(version=cycle.framework)}
    items = items or {i.code: i for i in Level4Item.objects.filter(version=cycle.framework)}
    plan = improvement.plan_create(actor=principal, cycle=cycle)
    texts = {name: data[name] for name in improvement.PLAN_TEXT_FIELDS if name in data}
    plan = improvement.plan_update(actor=principal, plan=plan, issued_on=data["issued_on"], **texts)
    lines = {}
    for row in data["lines"]:
        unknown = set(row) - LINE_KEYS
        if unknown:
            raise ValueError(f"demo plan line {row.get('key')}: unknown fields {sorted(unknown)}")
        values = {name: row[name] for name in improvement.LINE_FIELDS if name in row}
        values["starts_on"], values["due_on"] = _month(row.get("starts_on")), _month(row.get("due_on"))
        subject = (
            {"criterion": criteria[str(row["criterion"])]}
            if "criterion" in row
            else {"level4_item": items[str(row["level4"])]}
        )
        lines[row["key"]] = improvement.line_create(actor=principal, plan=plan, **subject, **values)
    for note in data.get("coverage_notes", []):
        subject = (
            {"criterion": criteria[str(note["criterion"])]}
            if "criterion" in note
            else {"level4_item": items[str(note["level4"])]}
        )
        improvement.coverage_note_save(actor=principal, plan=plan, reason=note["reason"], **subject)
    plan = improvement.plan_issue(actor=principal, plan=plan)
    usernames = [m.get("account") for m in data.get("monitors", [])]
    usernames += [r.get("recorded_by") for r in data.get("reviews", [])]
    accounts = {u.username: u for u in User.objects.filter(username__in=[name for name in usernames if name])}
    for member in data.get("monitors", []):
        improvement.monitor_add(
            actor=principal,
            plan=plan,
            full_name=member["full_name"],
            job_title=member.get("job_title", ""),
            role=member.get("role", MonitorRole.MEMBER),
            user=accounts.get(member.get("account")),
        )
    if data.get("review_preset"):
        improvement.review_schedule_preset(actor=principal, plan=plan, preset=data["review_preset"])
    reviews = {review.kind: review for review in plan.reviews.all()}
    for review in data.get("reviews", []):
        improvement.review_record(
            actor=accounts.get(review.get("recorded_by")) or principal,
            review=reviews[review["kind"]],
            held_on=review["held_on"],
            summary=review.get("summary", ""),
            entries={
                lines[entry["line"]].pk: improvement.EntryInput(
                    status=entry["status"],
                    progress=entry.get("progress", ""),
                    adjustment=entry.get("adjustment", ""),
                )
                for entry in review["entries"]
            },
        )
    return plan
