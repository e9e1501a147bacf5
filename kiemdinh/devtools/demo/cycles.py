"""The demo's self-assessment cycles: Thanh Chấn's complete 2021–2022 one (its content in thanh_chan.py), and the
2023-2024 cycles of five Hương Trà kindergartens, only opened."""

from dataclasses import dataclass

from kiemdinh.accounts.models import User
from kiemdinh.devtools.demo.places import HUONG_TRA_2024_LIST
from kiemdinh.devtools.demo.tally import DemoBuild
from kiemdinh.devtools.demo.thanh_chan import content as demo_content
from kiemdinh.devtools.demo.thanh_chan import fill_cycle, fill_improvement
from kiemdinh.frameworks.models import FrameworkVersion
from kiemdinh.improvement.models import ImprovementPlan
from kiemdinh.selfassessment.models import Cycle
from kiemdinh.workflow.services import cycle_open


@dataclass(frozen=True)
class CycleSeed:
    school: str
    school_year: str
    framework: str
    principal: str  # who fills, approves and submits (username)
    reviewer: str  # the officer who accepts it (username)


# Thanh Chấn's 2021–2022 self-assessment: every Mức 1–3 criterion met (27/27, 27/27, 19/19) and Mức 4 2/5.
# Its improvement plan works on Mức 4 items 2 and 4, so those are two of the three not met; the seed does not say
# which of items 1, 3 and 5 are met, so the demo takes 1 and 3 (any two give the same counts and levels).
# The plan follows the completed report, hence submitted, accepted and published. The whole content (council, plan,
# evidence, forms) is in data/thanh_chan_2021.yaml.
THANH_CHAN_CYCLE = CycleSeed(
    school="DEMO-TC-TH",
    school_year="2021-2022",
    framework="tt17-2018",
    principal="hieutruong.thanhchan",
    reviewer="ubnd.thanhchan",
)


# An illustration too: the first five schools of the Hương Trà list have their 2023-2024 self-assessment opened (only
# opened, nothing filled in) so the officer's dashboard shows schools at work; the seed says nothing of their progress.
CYCLES_IN_PROGRESS = tuple((code, "2023-2024") for code, _, _, _ in HUONG_TRA_2024_LIST[:5])


def ensure_cycle(actor, build: DemoBuild, seed: CycleSeed, schools) -> Cycle:
    school = schools[seed.school]
    cycle = Cycle.objects.filter(school=school, school_year=seed.school_year).first()
    people = {u.username: u for u in User.objects.filter(username__in=[seed.principal, seed.reviewer])}
    if cycle is not None:
        # A demo seeded before the improvement plan existed gets it on the next run.
        if not ImprovementPlan.objects.filter(cycle=cycle).exists() and "improvement" in demo_content():
            fill_improvement(cycle=cycle, principal=people[seed.principal], data=demo_content()["improvement"])
            build.add("kế hoạch cải tiến")
        return cycle
    framework = FrameworkVersion.objects.get(code=seed.framework)
    cycle = cycle_open(actor=actor, school=school, school_year=seed.school_year, framework=framework)
    fill_cycle(cycle=cycle, principal=people[seed.principal], reviewer=people.get(seed.reviewer))
    build.add("đợt tự đánh giá")
    return cycle


def ensure_cycles_in_progress(actor, build: DemoBuild, schools) -> None:
    opened = set(
        Cycle.objects.filter(school__code__in={code for code, _ in CYCLES_IN_PROGRESS}).values_list(
            "school__code", "school_year"
        )
    )
    for code, school_year in CYCLES_IN_PROGRESS:
        if (code, school_year) not in opened:
            # The framework follows from the school type and the school year (TT19/2018 for these kindergartens).
            cycle_open(actor=actor, school=schools[code], school_year=school_year)
            build.add("đợt tự đánh giá")
