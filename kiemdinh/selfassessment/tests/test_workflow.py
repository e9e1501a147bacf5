"""Criterion forms (versions, drafts, history) and the submission workflow, through the services."""

import pytest
from django.core.exceptions import ValidationError

from kiemdinh.frameworks.models import Criterion
from kiemdinh.selfassessment.models import CriterionForm, CycleSnapshot, CycleStatus, CycleTransition, FormDraft
from kiemdinh.selfassessment.services import FormConflict, criterion_form_save, form_draft_save
from kiemdinh.selfassessment.tests.builders import complete_dossier
from kiemdinh.workflow.selectors import dossier_content, snapshot_hash
from kiemdinh.workflow.selectors.readiness import submission_blockers
from kiemdinh.workflow.services import cycle_accept, cycle_open, cycle_publish, cycle_return, cycle_submit

pytestmark = pytest.mark.usefixtures("frameworks_loaded")


@pytest.fixture
def criterion(cycle):
    return Criterion.objects.get(version=cycle.framework, code="1.1")


def save(actor, cycle, criterion, base_version, text):
    return criterion_form_save(
        actor=actor,
        cycle=cycle,
        criterion=criterion,
        base_version=base_version,
        descriptions={"1.a": text},
        strengths="",
        weaknesses="",
        improvement="",
    )


def test_each_save_raises_the_version_and_is_kept_in_history(world, cycle, criterion):
    form = save(world.secretary_a, cycle, criterion, 0, "Bản đầu")
    form = save(world.principal_a, cycle, criterion, form.version, "Bản sau")
    assert form.version == 2
    history = list(form.history.order_by("history_date").values_list("version", "descriptions", "history_user"))
    assert history[-2:] == [
        (1, {"1.a": "Bản đầu"}, world.secretary_a.pk),
        (2, {"1.a": "Bản sau"}, world.principal_a.pk),
    ]


def test_a_save_based_on_an_older_version_is_refused_and_changes_nothing(world, cycle, criterion):
    save(world.secretary_a, cycle, criterion, 0, "Thư ký viết")
    with pytest.raises(FormConflict) as caught:
        save(world.principal_a, cycle, criterion, 0, "Hiệu trưởng viết cùng lúc")
    assert caught.value.current.descriptions == {"1.a": "Thư ký viết"}
    form = CriterionForm.objects.get(cycle=cycle, criterion=criterion)
    assert (form.version, form.descriptions, form.updated_by) == (1, {"1.a": "Thư ký viết"}, world.secretary_a)


def test_unknown_indicator_keys_are_refused(world, cycle, criterion):
    with pytest.raises(ValidationError, match=r"9\.z"):
        criterion_form_save(
            actor=world.principal_a, cycle=cycle, criterion=criterion, base_version=0, descriptions={"9.z": "?"}
        )
    assert not CriterionForm.objects.filter(version__gt=0).exists()


def test_a_draft_is_private_and_dropped_by_the_authors_save(world, cycle, criterion):
    form_draft_save(
        actor=world.secretary_a,
        cycle=cycle,
        criterion=criterion,
        base_version=0,
        data={"descriptions": {"1.a": "đang gõ"}, "strengths": "x"},
    )
    form_draft_save(
        actor=world.principal_a,
        cycle=cycle,
        criterion=criterion,
        base_version=0,
        data={"descriptions": {"1.a": "nháp khác"}},
    )
    assert FormDraft.objects.count() == 2
    form = CriterionForm.objects.get(cycle=cycle, criterion=criterion)
    assert form.version == 0 and form.descriptions == {}  # a draft never changes the form
    save(world.secretary_a, cycle, criterion, 0, "đã lưu")
    assert list(FormDraft.objects.values_list("user", flat=True)) == [world.principal_a.pk]


def test_submission_is_blocked_until_the_council_and_forms_are_complete(world, cycle):
    blockers = submission_blockers(cycle)
    assert any(b.startswith("Hội đồng:") for b in blockers)
    assert any("phiếu đánh giá tiêu chí chưa đầy đủ" in b for b in blockers)
    with pytest.raises(ValidationError):
        cycle_submit(actor=world.principal_a, cycle=cycle)
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.IN_PROGRESS and not CycleSnapshot.objects.exists()


@pytest.fixture
def complete(world, cycle):
    return complete_dossier(cycle, world.principal_a)


def test_submit_freezes_a_snapshot_and_the_cycle(world, complete):
    assert submission_blockers(complete) == []
    snapshot = cycle_submit(actor=world.principal_a, cycle=complete, comment="Kính gửi phòng")
    complete.refresh_from_db()
    assert complete.status == CycleStatus.SUBMITTED
    assert snapshot.content_hash == snapshot_hash(dossier_content(complete))
    assert snapshot.content["result"]["school_level"] == 3
    assert len(snapshot.content["evidence"]) == 27
    criterion = Criterion.objects.get(version=complete.framework, code="1.1")
    form = CriterionForm.objects.get(cycle=complete, criterion=criterion)
    with pytest.raises(ValidationError, match="không sửa được"):
        save(world.principal_a, complete, criterion, form.version, "sửa sau khi nộp")


def test_accept_is_refused_when_data_changed_after_submission(world, complete):
    cycle_submit(actor=world.principal_a, cycle=complete)
    # A change behind the services' back (e.g. an admin edit in the database) must not be accepted silently.
    CriterionForm.objects.filter(cycle=complete).update(strengths="đã bị sửa")
    with pytest.raises(ValidationError, match="đã thay đổi sau khi nộp"):
        cycle_accept(actor=world.officer_commune_a, cycle=complete)
    complete.refresh_from_db()
    assert complete.status == CycleStatus.SUBMITTED


def test_return_then_resubmit_then_accept_then_publish_is_a_recorded_timeline(world, complete):
    cycle_submit(actor=world.principal_a, cycle=complete)
    with pytest.raises(ValidationError, match="Hãy ghi ý kiến"):
        cycle_return(actor=world.officer_commune_a, cycle=complete, comment=" ")
    cycle_return(
        actor=world.officer_commune_a,
        cycle=complete,
        comment="Bổ sung minh chứng",
        criterion_comments={"1.1": "Thiếu quyết định", "2.1": ""},
    )
    complete.refresh_from_db()
    assert complete.status == CycleStatus.RETURNED and complete.is_editable
    with pytest.raises(ValidationError):
        cycle_accept(actor=world.officer_commune_a, cycle=complete)
    cycle_submit(actor=world.principal_a, cycle=complete)
    accepted = cycle_accept(actor=world.officer_commune_a, cycle=complete, comment="Đạt yêu cầu")
    assert accepted.accepted
    cycle_publish(actor=world.principal_a, cycle=complete)
    with pytest.raises(ValidationError, match="đã được công bố"):
        cycle_publish(actor=world.principal_a, cycle=complete)
    kinds = list(complete.transitions.values_list("kind", "actor"))
    assert kinds == [
        (CycleTransition.Kind.OPENED, world.principal_a.pk),
        (CycleTransition.Kind.SUBMITTED, world.principal_a.pk),
        (CycleTransition.Kind.RETURNED, world.officer_commune_a.pk),
        (CycleTransition.Kind.SUBMITTED, world.principal_a.pk),
        (CycleTransition.Kind.ACCEPTED, world.officer_commune_a.pk),
        (CycleTransition.Kind.PUBLISHED, world.principal_a.pk),
    ]
    returned = complete.transitions.get(kind=CycleTransition.Kind.RETURNED)
    assert list(returned.criterion_comments.values_list("criterion__code", "text")) == [("1.1", "Thiếu quyết định")]


def test_carry_over_reuses_council_evidence_and_texts_and_leaves_the_old_cycle_alone(world, complete):
    before = snapshot_hash(dossier_content(complete))
    # 2025-2026 → 2024-2025 is not allowed (earlier only); open the older one first and carry forward.
    older = complete
    new = cycle_open(
        actor=world.principal_a,
        school=world.school_a,
        school_year="2027-2028",
        framework=older.framework,
        carry_over_from=older,
    )
    assert new.carried_from == older
    assert snapshot_hash(dossier_content(older)) == before
    assert new.council_members.count() == 7
    assert sorted(new.evidence_links.values_list("code", "evidence_id")) == sorted(
        older.evidence_links.values_list("code", "evidence_id")
    )
    old_form = CriterionForm.objects.get(cycle=older, criterion__code="1.1")
    new_form = CriterionForm.objects.get(cycle=new, criterion__code="1.1")
    assert new_form.descriptions == old_form.descriptions and new_form.pk != old_form.pk
    assert not new.indicator_ratings.exists()


def test_carry_over_into_another_circular_keeps_people_but_not_codes_or_texts(world, complete):
    new = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2026-2027", carry_over_from=complete)
    assert new.framework.code == "tt57-2026-pt"
    assert new.council_members.count() == 7
    assert not new.evidence_links.exists() and not CriterionForm.objects.filter(cycle=new).exists()
    assert complete.evidence_links.count() == 27


def test_carry_over_only_from_an_earlier_cycle_of_the_same_school(world, cycle):
    with pytest.raises(ValidationError, match="năm học trước"):
        cycle_open(actor=world.principal_a, school=world.school_a, school_year="2024-2025", carry_over_from=cycle)
    other = cycle_open(actor=world.principal_b, school=world.school_b, school_year="2024-2025")
    with pytest.raises(ValidationError, match="chính trường này"):
        cycle_open(actor=world.principal_a, school=world.school_a, school_year="2027-2028", carry_over_from=other)


def texts(desc=None, **fields):
    return {"descriptions": desc or {}, "strengths": "", "weaknesses": "", "improvement": "", **fields}


def test_merge_takes_each_text_from_the_side_that_changed_it():
    from kiemdinh.selfassessment.services import form_texts_merge

    base = texts({"1.a": "gốc", "1.b": "gốc b"}, strengths="gốc")
    mine = texts({"1.a": "của tôi", "1.b": "gốc b"}, strengths="gốc", weaknesses="tôi thêm")
    theirs = texts({"1.a": "gốc", "1.b": "họ sửa b"}, strengths="họ sửa")
    merged, clashes = form_texts_merge(base, mine, theirs)
    assert merged == texts({"1.a": "của tôi", "1.b": "họ sửa b"}, strengths="họ sửa", weaknesses="tôi thêm")
    assert clashes == set()


def test_merge_reports_texts_both_sides_changed_and_keeps_mine_there():
    from kiemdinh.selfassessment.services import form_texts_merge

    merged, clashes = form_texts_merge(
        texts({"1.a": "gốc"}), texts({"1.a": "tôi"}, improvement="cùng"), texts({"1.a": "họ"}, improvement="cùng")
    )
    assert merged["descriptions"] == {"1.a": "tôi"} and merged["improvement"] == "cùng"
    assert clashes == {"mo_ta_1.a"}
