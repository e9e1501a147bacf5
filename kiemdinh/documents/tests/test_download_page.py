"""The download page of a cycle's documents lists what each document lacks without building each one
(kinds.cycle_lacking: the report's context built once, each kind's `lacks` reading from it): the lists are exactly
the documents' own `missing`, in every state of a cycle, and the page runs a bounded number of queries."""

import re
from datetime import date

import pytest

from kiemdinh.documents.kinds import CYCLE_KINDS, cycle_lacking
from kiemdinh.documents.tests.test_appendices import refetch, setup_council, setup_plan
from kiemdinh.documents.tests.test_improvement_plan import hold_review, rate_everything, seed_plan
from kiemdinh.evaluation.tests.helpers import accepted_cycle
from kiemdinh.evidence.services import evidence_create
from kiemdinh.frameworks.models import Criterion, Indicator, Level4Item
from kiemdinh.improvement.models import MonitorRole
from kiemdinh.improvement.services import monitor_add
from kiemdinh.selfassessment.council.services import scope_analysis_save
from kiemdinh.selfassessment.tests.builders import fill_forms
from kiemdinh.workflow.services import cycle_open

pytestmark = pytest.mark.usefixtures("frameworks_loaded")

# The page's queries, whatever the cycle's size: the request (session, user, the cycle and its access, the
# permissions), the report's context (about 20, the school's sites among them) and each document's own few reads beside
# it (42 for an empty cycle, 51 for one half done); a submitted or accepted cycle adds the check of its whole dossier
# against its snapshot (67).
PAGE_QUERIES = 51
PAGE_QUERIES_FILED = 70


def assert_lacks_what_each_document_lists(cycle):
    lacking = cycle_lacking(refetch(cycle))
    assert [kind for kind, _ in lacking] == list(CYCLE_KINDS)
    for kind, missing in lacking:
        assert missing == kind.build(refetch(cycle)).missing, kind.kind


def filled_2018(world):
    """A 2018 cycle half done: a council and a plan, two criteria described, some nội hàm written (one Mức 4 item's
    too), ratings, and an improvement plan with a monitor and a review held."""
    actor = world.principal_a
    cycle = cycle_open(actor=actor, school=world.school_a, school_year="2025-2026")
    setup_council(cycle, actor)
    setup_plan(cycle, actor)
    fill_forms(cycle, actor, criteria={"1.1", "1.2"})
    for indicator in Indicator.objects.filter(criterion__version=cycle.framework, criterion__code="1.1"):
        scope_analysis_save(actor=actor, cycle=cycle, indicator=indicator, meaning="Nội hàm", evidence_needed="Sổ")
    item = Level4Item.objects.filter(version=cycle.framework).exclude(confidence="missing").first()
    scope_analysis_save(actor=actor, cycle=cycle, level4_item=item, meaning="Nội hàm Mức 4")
    rate_everything(cycle, actor, level4={"1": True, "3": True, "2": False, "4": False, "5": False})
    plan = seed_plan(cycle, actor)
    monitor_add(actor=actor, plan=plan, full_name="Trần Thị Thu", role=MonitorRole.LEADER)
    hold_review(plan, actor, date(2026, 1, 15))
    return cycle


def filled_tt57(world):
    """A TT57 cycle: every criterion described with an item of evidence that has neither file nor link (its place is
    missing), and one item with a link."""
    actor = world.principal_a
    cycle = cycle_open(actor=actor, school=world.school_a, school_year="2026-2027")
    fill_forms(cycle, actor)
    criterion = Criterion.objects.get(version=cycle.framework, code="1.1")
    evidence_create(actor=actor, cycle=cycle, criterion=criterion, name="Trang tin", link="https://example.org/tin")
    return cycle


def test_an_empty_cycle_of_either_regime_lacks_what_its_documents_list(world):
    for school_year in ("2025-2026", "2026-2027"):  # TT17/2018, then TT57/2026
        assert_lacks_what_each_document_lists(
            cycle_open(actor=world.principal_a, school=world.school_a, school_year=school_year)
        )


def test_a_cycle_half_done_lacks_what_its_documents_list(world):
    assert_lacks_what_each_document_lists(filled_2018(world))
    assert_lacks_what_each_document_lists(filled_tt57(world))


def test_an_accepted_cycle_lacks_what_its_documents_list(world):
    """Read from what was accepted (its snapshot), as the documents are."""
    assert_lacks_what_each_document_lists(accepted_cycle(world))


def test_the_page_lists_every_document_and_its_gaps_in_a_bounded_number_of_queries(
    client, world, django_assert_max_num_queries
):
    client.force_login(world.principal_a)
    for cycle, queries in (
        (cycle_open(actor=world.principal_a, school=world.school_a, school_year="2024-2025"), PAGE_QUERIES),
        (filled_2018(world), PAGE_QUERIES),
        (accepted_cycle(world, "2023-2024"), PAGE_QUERIES_FILED),
    ):
        with django_assert_max_num_queries(queries):
            page = client.get(f"/tu-danh-gia/{cycle.pk}/van-ban/").content.decode()
        listed = re.findall(r'data-testid="doc-([a-z-]+)"', page)
        assert listed == [kind.kind for kind in CYCLE_KINDS]
        gaps = [len(missing) for _, missing in cycle_lacking(refetch(cycle))]
        shown = [int(n) for n in re.findall(r"Còn thiếu (\d+) mục dữ liệu", page)]
        assert shown == [n for n in gaps if n]
