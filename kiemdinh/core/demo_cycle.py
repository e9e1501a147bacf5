"""The demo's complete self-assessment cycle (Thanh Chấn 2021–2022), built from a data file through the real services.

The content (council, plan, evidence catalogue, every criterion form) is in demo_data/thanh_chan_2021.yaml; it was
written to agree with the school's real improvement plan in the seed documents.
"""

from functools import cache
from pathlib import Path

import yaml

from kiemdinh.accounts.models import User
from kiemdinh.evidence.services import evidence_cite, evidence_create
from kiemdinh.frameworks.models import Criterion, Indicator, Level4Item
from kiemdinh.selfassessment.council import (
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
    cycle_accept,
    cycle_publish,
    cycle_record_ratings,
    cycle_submit,
    report_texts_save,
)

DATA_FILE = Path(__file__).resolve().parent / "demo_data" / "thanh_chan_2021.yaml"


@cache
def content() -> dict:
    return yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))


def fill_cycle(*, cycle: Cycle, principal: User, reviewer: User | None, data: dict | None = None) -> Cycle:
    """Council, plan, worksheet, evidence, forms and ratings from the data; then submitted, accepted and published."""
    data = data or content()
    criteria = {c.code: c for c in Criterion.objects.filter(version=cycle.framework)}
    items = {i.code: i for i in Level4Item.objects.filter(version=cycle.framework)}
    _council(cycle, principal, data["council"], criteria, items)
    _plan(cycle, principal, data["plan"])
    _worksheet(cycle, principal, data.get("worksheet", {}), criteria)
    _evidence(cycle, principal, data["evidence"], criteria)
    _forms(cycle, principal, data, criteria, items)
    report_texts_save(actor=principal, cycle=cycle, texts={str(k): v for k, v in data.get("report", {}).items()})
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
