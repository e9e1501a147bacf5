"""Plans built through the services, shared by the planning tests."""

from datetime import date
from decimal import Decimal

from kiemdinh.planning import services as svc
from kiemdinh.recognition.services import DecisionInput, decision_record


def make_plan(world, *, period="2024", kind="year", actor=None, **extra):
    data = svc.PlanInput(
        kind=kind,
        period=period,
        title=extra.pop("title", "Công tác kiểm định chất lượng giáo dục năm 2024"),
        number=extra.pop("number", "20/KH-UBND"),
        issued_on=extra.pop("issued_on", date(2024, 1, 4)),
        place=extra.pop("place", "Đông Sơn"),
        signer_name=extra.pop("signer_name", "Đỗ Văn Ký"),
        signer_title=extra.pop("signer_title", "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"),
        **extra,
    )
    return svc.plan_create(actor=actor or world.officer_district, unit=world.district, data=data)


def recognise(world, school, *, kind="accreditation", level=2, decided_on=date(2019, 3, 1), **extra):
    """A decision entered by its issuing body (2018: the grade by the Sở GD&ĐT, the national standard by the
    provincial People's Committee; recognition.authority)."""
    extra.setdefault("regime", "2018")  # whatever the date: a 2018 evaluation may end after 07/7/2026
    return decision_record(
        actor=world.officer_province if kind == "accreditation" else world.officer_committee,
        school=school,
        data=DecisionInput(kind=kind, level=level, decided_on=decided_on, **extra),
    )


def percent_goal(plan, world, **extra):
    values = {
        "text": "100% trường được công nhận đạt kiểm định",
        "metric": "accredited",
        "measure": "percent",
        "target_value": Decimal(100),
        "scope": "unit",
    }
    values.update(extra)
    return svc.goal_save(actor=world.officer_district, plan=plan, data=svc.GoalInput(**values))
