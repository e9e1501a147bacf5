"""``build_demo``: the demo world built in order, each part created only where missing (a second run creates nothing)."""

from django.db import transaction

from kiemdinh.devtools.demo.cycles import THANH_CHAN_CYCLE, ensure_cycle, ensure_cycles_in_progress
from kiemdinh.devtools.demo.evaluations import ensure_evaluations
from kiemdinh.devtools.demo.mergers import ensure_merger
from kiemdinh.devtools.demo.people import ensure_officers_in_charge, ensure_people
from kiemdinh.devtools.demo.places import ensure_schools, ensure_units
from kiemdinh.devtools.demo.plans import PLANS, ensure_plan
from kiemdinh.devtools.demo.prior_decisions import ensure_decisions
from kiemdinh.devtools.demo.reform import ensure_reform
from kiemdinh.devtools.demo.tally import DemoBuild
from kiemdinh.frameworks.models import FrameworkVersion

# Frameworks the demo's schools use in the seeds' years (TT17 primary, TT18 lower secondary, TT19 kindergarten).
REQUIRED_FRAMEWORKS = ("tt17-2018", "tt18-2018", "tt19-2018")


def missing_frameworks() -> list[str]:
    loaded = set(FrameworkVersion.objects.filter(code__in=REQUIRED_FRAMEWORKS).values_list("code", flat=True))
    return [code for code in REQUIRED_FRAMEWORKS if code not in loaded]


@transaction.atomic
def build_demo(*, actor=None) -> DemoBuild:
    """Create whatever of the demo world is missing; existing objects are left untouched."""
    build = DemoBuild()
    units = ensure_units(actor, build)
    schools = ensure_schools(actor, build, units)
    for plan in PLANS:
        ensure_plan(actor, build, plan, units, schools)
    ensure_decisions(actor, build, schools)
    ensure_people(actor, build, units, schools)
    ensure_cycle(actor, build, THANH_CHAN_CYCLE, schools)
    ensure_cycles_in_progress(actor, build, schools)
    ensure_officers_in_charge(actor, build, units)
    ensure_evaluations(actor, build, units, schools)
    ensure_reform(actor, build, units, schools)  # last: the history above was made under the old tree
    ensure_merger(actor, build)
    return build
