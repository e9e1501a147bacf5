"""No edit is lost when two people edit the same thing at once.

Two clients open the same criterion form (same version) or the same improvement-plan line, both change it and save:
the first save wins, the second is refused with both versions shown (the criterion form also merges what only one of
them changed), and nothing is overwritten silently. Saving again from the conflict page is a deliberate choice.
"""

import html
import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from kiemdinh.improvement import services as improvement
from kiemdinh.improvement.models import PlanLine
from kiemdinh.selfassessment.models import CriterionForm
from kiemdinh.selfassessment.services import FormConflict, criterion_form_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def principal(world) -> Client:
    client = Client()
    client.force_login(world.principal_a)
    return client


@pytest.fixture
def secretary(world) -> Client:
    client = Client()
    client.force_login(world.secretary_a)
    return client


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def hidden(text: str, name: str) -> str:
    return html.unescape(re.search(rf'name="{name}" value="([^"]*)"', text).group(1))


# --- Criterion forms (phiếu đánh giá tiêu chí): compare-and-swap on the version, merge on conflict -----------------


def form_post(base_version: str, **texts) -> dict:
    data = {"base_version": base_version, "mo_ta_1.a": "Nhà trường có chiến lược phát triển."}
    data.update({name: texts.get(name, "") for name in ("strengths", "weaknesses", "improvement")})
    return data


def test_two_people_saving_the_same_criterion_form_lose_nothing(world, cycle, principal, secretary):
    url = reverse("workflow:form", args=[cycle.pk, "1.1"])
    criterion_form_save(
        actor=world.principal_a,
        cycle=cycle,
        criterion=cycle.framework.standards.get(code="1").criteria.get(code="1.1"),
        base_version=0,
        descriptions={"1.a": "Nhà trường có chiến lược phát triển."},
        strengths="Điểm mạnh ban đầu.",
    )
    # Both open the form at the same version.
    base = hidden(page(principal, url), "base_version")
    assert hidden(page(secretary, url), "base_version") == base

    first = principal.post(url, form_post(base, strengths="Điểm mạnh do hiệu trưởng viết."))
    assert first.status_code == 302
    saves = CriterionForm.objects.get(cycle=cycle, criterion__code="1.1").history.count()
    second = secretary.post(url, form_post(base, strengths="Điểm mạnh ban đầu.", weaknesses="Điểm yếu do thư ký viết."))

    # Refused, not overwritten: both versions are shown, and what only one of them changed is merged.
    assert second.status_code == 409
    text = second.content.decode()
    assert 'data-testid="conflict"' in text
    assert "Điểm mạnh do hiệu trưởng viết." in text and "Điểm yếu do thư ký viết." in text
    form = CriterionForm.objects.get(cycle=cycle, criterion__code="1.1")
    assert (form.strengths, form.weaknesses) == ("Điểm mạnh do hiệu trưởng viết.", "")
    # The secretary saves the merge, based on the version now stored: both edits are kept.
    merged_base = hidden(text, "base_version")
    assert merged_base == str(form.version)
    third = secretary.post(
        url, form_post(merged_base, strengths="Điểm mạnh do hiệu trưởng viết.", weaknesses="Điểm yếu do thư ký viết.")
    )
    assert third.status_code == 302
    form.refresh_from_db()
    assert (form.strengths, form.weaknesses) == ("Điểm mạnh do hiệu trưởng viết.", "Điểm yếu do thư ký viết.")
    assert form.history.count() == saves + 1  # the refused save wrote nothing; every real save is kept


def test_the_criterion_form_version_check_is_a_compare_and_swap(world, cycle):
    criterion = cycle.framework.standards.get(code="1").criteria.get(code="1.1")
    save = {"cycle": cycle, "criterion": criterion, "descriptions": {}}
    criterion_form_save(actor=world.principal_a, base_version=0, strengths="Hiệu trưởng", **save)
    with pytest.raises(FormConflict) as conflict:
        criterion_form_save(actor=world.secretary_a, base_version=0, strengths="Thư ký", **save)
    assert conflict.value.current.strengths == "Hiệu trưởng"
    assert CriterionForm.objects.get(cycle=cycle, criterion=criterion).strengths == "Hiệu trưởng"


# --- Improvement plan lines (dòng kế hoạch cải tiến): optimistic locking on updated_at ---------------------------


@pytest.fixture
def line(world, cycle) -> PlanLine:
    plan = improvement.plan_create(actor=world.principal_a, cycle=cycle)
    return improvement.line_create(
        actor=world.principal_a,
        plan=plan,
        criterion=cycle.framework.standards.get(code="1").criteria.get(code="1.1"),
        target="Có phòng học bộ môn Tin học",
        tasks=["Lập dự toán"],
        lead="Hiệu trưởng",
        starts_on=date(2025, 10, 1),
        due_on=date(2027, 5, 31),
    )


def line_post(line: PlanLine, base: str, **over) -> dict:
    data = {
        "subject": f"c:{line.criterion_id}",
        "target": "Có phòng học bộ môn Tin học",
        "tasks": "Lập dự toán",
        "lead": "Hiệu trưởng",
        "starts_on": "2025-10",
        "due_on": "2027-05",
        "base_updated_at": base,
    }
    data.update(over)
    return data


def test_two_people_saving_the_same_plan_line_lose_nothing(world, cycle, line, principal, secretary):
    url = reverse("improvement:line_edit", args=[cycle.pk, line.pk])
    base = hidden(page(principal, url), "base_updated_at")
    assert hidden(page(secretary, url), "base_updated_at") == base

    first = principal.post(url, line_post(line, base, target="Có phòng Tin học với 35 máy tính"))
    assert first.status_code == 302
    saves = line.history.count()
    second = secretary.post(url, line_post(line, base, lead="Phó hiệu trưởng"))

    assert second.status_code == 409
    text = second.content.decode()
    assert 'data-testid="line-conflict"' in text and "trong khi bạn đang sửa" in text
    theirs = text.split('data-testid="theirs-target"')[1].split("</div>")[0]
    mine = text.split('data-testid="mine-lead"')[1].split("</div>")[0]
    assert "Có phòng Tin học với 35 máy tính" in theirs and "Phó hiệu trưởng" in mine
    assert "Phó hiệu trưởng" in text.split('name="lead"')[1].split(">")[0]  # the secretary's input is kept
    line.refresh_from_db()
    assert (line.target, line.lead) == ("Có phòng Tin học với 35 máy tính", "Hiệu trưởng")

    # Saving the merge from the conflict page (based on the line as it is now) keeps both changes.
    new_base = hidden(text, "base_updated_at")
    assert new_base == line.updated_at.isoformat()
    third = secretary.post(
        url, line_post(line, new_base, target="Có phòng Tin học với 35 máy tính", lead="Phó hiệu trưởng")
    )
    assert third.status_code == 302
    line.refresh_from_db()
    assert (line.target, line.lead) == ("Có phòng Tin học với 35 máy tính", "Phó hiệu trưởng")
    assert line.history.count() == saves + 1


def test_a_stale_plan_line_change_is_refused_by_the_service(world, line):
    opened = line.updated_at
    values = {
        "criterion": line.criterion,
        "target": line.target,
        "tasks": line.tasks,
        "starts_on": line.starts_on,
        "due_on": line.due_on,
    }
    improvement.line_update(actor=world.principal_a, line=line, base_updated_at=opened, **values, lead="Kế toán")
    with pytest.raises(improvement.LineConflict) as conflict:
        improvement.line_update(
            actor=world.secretary_a, line=line, base_updated_at=opened, **values, lead="Tổ trưởng chuyên môn"
        )
    assert conflict.value.fields == ["lead"] and conflict.value.current.lead == "Kế toán"
    assert conflict.value.mine["lead"] == "Tổ trưởng chuyên môn"
    line.refresh_from_db()
    assert line.lead == "Kế toán"
    # Sending what is already stored is no conflict: nothing would be lost.
    same = improvement.line_update(actor=world.secretary_a, line=line, base_updated_at=opened, **values, lead="Kế toán")
    assert same.updated_at == line.updated_at
