import json

import pytest
from django.core.management import CommandError, call_command

from kiemdinh.frameworks.contract import evaluate_request
from kiemdinh.selfassessment.tests.builders import fill_forms
from kiemdinh.workflow.services import cycle_open

pytestmark = pytest.mark.usefixtures("frameworks_loaded")


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command("cycle_status", *args, stdout=out)
    return out.getvalue()


def test_json_has_the_evaluate_shape_plus_status_and_evidence_counts(world):
    cycle = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2025-2026")
    fill_forms(cycle, world.principal_a, criteria={"1.1", "1.2"})
    from kiemdinh.evidence.services import evidence_create
    from kiemdinh.frameworks.models import Criterion

    evidence_create(
        actor=world.principal_a,
        cycle=cycle,
        criterion=Criterion.objects.get(version=cycle.framework, code="2.1"),
        name="Chưa trích dẫn",
    )
    report = json.loads(run("--school", "SA", "--year", "2025 - 2026", "--json"))
    assert set(report) == set(evaluate_request({"framework": "tt17-2018"})) | {"status", "evidence"}
    assert report["framework"] == "tt17-2018" and report["status"] == "in_progress"
    assert report["criteria"]["1.1"] == 3 and report["criteria"]["1.3"] == 0
    assert report["evidence"] == {"total": 3, "cited": 2, "uncited": 1}
    # by name, diacritics optional
    assert (
        json.loads(run("--school", "truong tieu hoc an binh", "--year", "2025-2026", "--json"))["status"]
        == "in_progress"
    )


@pytest.mark.parametrize(
    "args,message",
    [
        (("--school", "KHONGCO", "--year", "2025-2026"), "Không tìm thấy trường"),
        (("--school", "SA", "--year", "2025"), "không hợp lệ"),
        (("--school", "SA", "--year", "2019-2020"), "chưa có đợt tự đánh giá"),
    ],
)
def test_bad_input_exits_2_with_a_message(world, args, message):
    with pytest.raises(CommandError, match=message) as caught:
        run(*args)
    assert caught.value.returncode == 2
