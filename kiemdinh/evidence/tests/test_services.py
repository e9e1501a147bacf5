import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from kiemdinh.core.models import AuditEvent
from kiemdinh.evidence import services
from kiemdinh.evidence.models import CycleEvidence, Evidence, EvidenceCitation, EvidenceFile, EvidenceVersion
from kiemdinh.evidence.selectors import evidence_duplicates
from kiemdinh.evidence.tests.conftest import criterion, docx_bytes, pdf, pdf_bytes
from kiemdinh.frameworks.models import Criterion
from kiemdinh.selfassessment.models import CriterionForm
from kiemdinh.selfassessment.services import cycle_set_status
from kiemdinh.workflow.services import cycle_open


def create(world, cycle, code="1.1", name="Quyết định thành lập hội đồng trường", **kwargs):
    return services.evidence_create(
        actor=world.principal_a, cycle=cycle, criterion=criterion(cycle, code), name=name, **kwargs
    )


def test_create_gives_next_code_per_criterion(world, cycle):
    first = create(world, cycle)
    second = create(world, cycle, name="Kế hoạch chiến lược")
    other = create(world, cycle, code="2.3", name="Danh sách giáo viên")
    assert [first.code, second.code, other.code] == ["[H1-1.1-01]", "[H1-1.1-02]", "[H2-2.3-01]"]
    assert (second.box, second.sequence, second.criterion.code) == (1, 2, "1.1")
    assert first.evidence.school == world.school_a
    assert first.version.search_text == "quyet dinh thanh lap hoi dong truong"
    assert AuditEvent.objects.filter(event_type="evidence.created").count() == 3


def test_create_tt57_code(world, cycle57):
    link = create(world, cycle57, code="1.3", name="Quy chế tổ chức")
    assert link.code == "MC.1.3.01"
    assert link.box is None


def test_sequence_continues_after_highest_even_with_gaps(world, cycle):
    create(world, cycle)
    second = create(world, cycle, name="B")
    create(world, cycle, name="C")
    services.evidence_remove_from_cycle(actor=world.principal_a, cycle_evidence=second)
    assert create(world, cycle, name="D").code == "[H1-1.1-04]"


def test_create_refuses_empty_name_bad_link_and_foreign_criterion(world, cycle, cycle57):
    with pytest.raises(ValidationError) as e:
        create(world, cycle, name="   ")
    assert "Thiếu tên minh chứng." in e.value.messages
    with pytest.raises(ValidationError) as e:
        create(world, cycle, link="ftp://x")
    assert "Đường dẫn không hợp lệ" in " ".join(e.value.messages)
    with pytest.raises(ValidationError) as e:
        services.evidence_create(actor=None, cycle=cycle, criterion=criterion(cycle57, "1.1"), name="X")
    assert "không thuộc bộ tiêu chuẩn" in " ".join(e.value.messages)
    assert not Evidence.objects.exists()


def test_create_normalises_to_nfc(world, cycle):
    decomposed = unicodedata.normalize("NFD", "Quyết định")
    assert decomposed != "Quyết định"
    link = create(world, cycle, name=decomposed)
    assert link.version.name == "Quyết định"


def test_create_with_files_stores_them_with_hash(world, cycle, media_files):
    link = create(world, cycle, files=[pdf("Quyết định số 12.pdf"), pdf("b.pdf", "khác")])
    files = list(link.version.files.all())
    assert [f.original_name for f in files] == ["Quyết định số 12.pdf", "b.pdf"]
    assert files[0].content_type == "application/pdf"
    assert files[0].size == len(pdf_bytes())
    import hashlib

    assert files[0].sha256 == hashlib.sha256(pdf_bytes()).hexdigest()
    stored = media_files()
    assert len(stored) == 2
    assert any(name.endswith("/Quyết_định_số_12.pdf") for name in stored)
    assert files[0].file.read() == pdf_bytes()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("gia.pdf", b"MZ\x90\x00 not a pdf at all" * 20), "không phải là PDF"),
        (SimpleUploadedFile("virus.exe", b"MZ\x90\x00"), "loại tệp “.exe” không được nhận"),
        (SimpleUploadedFile("anh.gif", b"GIF89a" + b"\x00" * 40), "loại tệp “.gif” không được nhận"),
        (SimpleUploadedFile("noname", b"abc"), "không có phần mở rộng"),
        (SimpleUploadedFile("rong.pdf", b""), "rỗng"),
        (SimpleUploadedFile("doi-duoi.docx", pdf_bytes()), "không phải là Word"),
        (SimpleUploadedFile("nen.docx", b"PK\x03\x04" + b"\x00" * 100), "không phải là Word"),
        (SimpleUploadedFile("ghi-chu.txt", b"\x00\x01\x02binary"), "không phải là văn bản thuần"),
    ],
)
def test_bad_file_refuses_whole_item_and_writes_nothing(world, cycle, media_files, upload, message):
    with pytest.raises(ValidationError) as e:
        create(world, cycle, files=[pdf(), upload])
    assert message in " ".join(e.value.messages)
    assert not Evidence.objects.exists()
    assert not CycleEvidence.objects.exists()
    assert not EvidenceFile.objects.exists()
    assert media_files() == []


def test_too_large_file_is_refused_with_limit_in_message(world, cycle, settings, media_files):
    settings.KIEMDINH_EVIDENCE_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("lon.pdf", pdf_bytes() + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError) as e:
        create(world, cycle, files=[big])
    assert "quá lớn" in e.value.messages[0]
    assert "1 MB" in e.value.messages[0]
    assert not Evidence.objects.exists()
    assert media_files() == []


def test_accepted_types_by_content(world, cycle):
    import filetype

    assert filetype.guess(docx_bytes()).extension == "docx"
    assert filetype.guess(docx_bytes(padding=6)).extension == "zip"  # so the archive check is what accepts it
    files = [
        SimpleUploadedFile("van-ban.docx", docx_bytes()),
        # Entries in an order filetype does not recognise: checked through the archive's parts.
        SimpleUploadedFile("khac.docx", docx_bytes(padding=6)),
        SimpleUploadedFile("anh.PNG", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
        SimpleUploadedFile("ghi-chu.txt", "Biên bản họp hội đồng".encode()),
        SimpleUploadedFile("cu.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600),
    ]
    link = create(world, cycle, files=files)
    types = [f.content_type for f in link.version.files.all()]
    assert types[0].endswith("wordprocessingml.document")
    assert types[2] == "image/png"
    assert types[3].startswith("text/plain")
    assert types[4] == "application/msword"


def test_same_file_twice_on_one_item_is_refused(world, cycle):
    link = create(world, cycle, files=[pdf()])
    with pytest.raises(ValidationError) as e:
        services.evidence_file_add(actor=world.member_a, cycle_evidence=link, uploaded_file=pdf("copy.pdf"))
    assert "đã có trong minh chứng này" in e.value.messages[0]
    with pytest.raises(ValidationError):
        create(world, cycle, name="Hai lần", files=[pdf("a.pdf"), pdf("b.pdf")])
    assert link.version.files.count() == 1


def test_duplicates_found_across_items_and_bytes_stored_once(world, cycle, media_files):
    first = create(world, cycle, files=[pdf()])
    digest = first.version.files.get().sha256
    assert evidence_duplicates(school=world.school_a, sha256=digest) == [first.version]
    assert evidence_duplicates(school=world.school_b, sha256=digest) == []
    second = create(world, cycle, name="Bản sao", files=[pdf("ban-sao.pdf")])
    assert len(evidence_duplicates(school=world.school_a, sha256=digest)) == 2
    # Identical bytes of one school are stored once and shared by both rows.
    assert len(media_files()) == 1
    assert second.version.files.get().file.name == first.version.files.get().file.name


def test_file_remove_deletes_bytes_only_when_unused(world, cycle, media_files, django_capture_on_commit_callbacks):
    first = create(world, cycle, files=[pdf()])
    second = create(world, cycle, name="Bản sao", files=[pdf("ban-sao.pdf")])
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_file_remove(
            actor=world.member_a, cycle_evidence=second, evidence_file=second.version.files.get()
        )
    assert len(media_files()) == 1  # still used by the first item
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_file_remove(
            actor=world.member_a, cycle_evidence=first, evidence_file=first.version.files.get()
        )
    assert media_files() == []
    assert not EvidenceFile.objects.exists()


def test_file_removed_in_a_later_cycle_stays_in_the_submitted_one(
    world, cycle, media_files, django_capture_on_commit_callbacks
):
    link = create(world, cycle, files=[pdf()])
    new = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2024-2025")
    services.evidence_carry_over(actor=world.principal_a, source=cycle, target=new)
    cycle_set_status(actor=None, cycle=cycle, status="submitted")
    carried = CycleEvidence.objects.get(cycle=new, code=link.code)
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_file_remove(
            actor=world.principal_a, cycle_evidence=carried, evidence_file=carried.version.files.get()
        )
    carried.refresh_from_db()
    link.refresh_from_db()
    assert carried.version.number == 2 and not carried.version.files.exists()
    assert link.version.number == 1 and link.version.files.count() == 1
    assert len(media_files()) == 1  # the submitted cycle's version still holds the bytes
    with pytest.raises(ValidationError) as e:
        services.evidence_file_remove(
            actor=world.principal_a, cycle_evidence=link, evidence_file=link.version.files.get()
        )
    assert "đã nộp" in e.value.messages[0]


def test_update_changes_fields_and_search_text(world, cycle):
    link = create(world, cycle)
    services.evidence_update(
        actor=world.member_a, cycle_evidence=link, name="Nghị quyết Hội đồng trường", issued_by="Hội đồng trường"
    )
    link.refresh_from_db()
    assert link.version.name == "Nghị quyết Hội đồng trường"
    assert link.version.number == 1  # the cycle's own version, cited nowhere else: changed in place
    assert "hoi dong truong" in link.version.search_text
    event = AuditEvent.objects.filter(event_type="evidence.updated").get()
    assert event.data["after"]["name"] == "Nghị quyết Hội đồng trường"
    with pytest.raises(ValidationError):
        services.evidence_update(actor=world.member_a, cycle_evidence=link, name="")
    with pytest.raises(ValidationError):
        services.evidence_update(actor=world.member_a, cycle_evidence=link, school=world.school_b)


def test_cite_and_uncite(world, cycle):
    link = create(world, cycle)
    assert services.evidence_cite(actor=world.member_a, cycle_evidence=link, criterion=criterion(cycle, "1.1")) is None
    citation = services.evidence_cite(actor=world.member_a, cycle_evidence=link, criterion=criterion(cycle, "2.1"))
    assert citation.criterion.code == "2.1"
    again = services.evidence_cite(actor=world.member_a, cycle_evidence=link, criterion=criterion(cycle, "2.1"))
    assert again.pk == citation.pk
    assert EvidenceCitation.objects.count() == 1
    assert AuditEvent.objects.filter(event_type="evidence.cited").count() == 1
    services.evidence_uncite(actor=world.member_a, cycle_evidence=link, criterion=criterion(cycle, "2.1"))
    assert not EvidenceCitation.objects.exists()
    with pytest.raises(ValidationError):
        services.evidence_uncite(actor=world.member_a, cycle_evidence=link, criterion=criterion(cycle, "2.1"))


def test_link_existing_adds_citation_or_new_code(world, cycle):
    link = create(world, cycle)
    same = services.evidence_link_existing(
        actor=world.member_a, cycle=cycle, evidence=link.evidence, criterion=criterion(cycle, "3.2")
    )
    assert same.pk == link.pk
    assert [c.criterion.code for c in link.citations.all()] == ["3.2"]
    later = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2027-2028")
    reused = services.evidence_link_existing(
        actor=world.member_a, cycle=later, evidence=link.evidence, criterion=criterion(later, "1.2")
    )
    assert reused.code == "MC.1.2.01"
    assert reused.evidence_id == link.evidence_id


def test_link_existing_refuses_other_school(world, cycle, frameworks_loaded):
    other = Evidence.objects.create(school=world.school_b)
    with pytest.raises(ValidationError):
        services.evidence_link_existing(
            actor=world.member_a, cycle=cycle, evidence=other, criterion=criterion(cycle, "1.1")
        )
    assert not CycleEvidence.objects.exists()


def test_remove_refused_while_a_form_cites_the_code(world, cycle, media_files):
    link = create(world, cycle, files=[pdf()])
    form = CriterionForm.objects.create(
        cycle=cycle, criterion=criterion(cycle, "1.2"), descriptions={"1.a": "Có quyết định [H1-1.1-01]."}
    )
    with pytest.raises(ValidationError) as e:
        services.evidence_remove_from_cycle(actor=world.member_a, cycle_evidence=link)
    assert "[H1-1.1-01]" in e.value.messages[0]
    assert "tiêu chí 1.2" in e.value.messages[0]
    assert CycleEvidence.objects.filter(pk=link.pk).exists()
    form.descriptions = {"1.a": "Không trích dẫn."}
    form.save()
    services.evidence_remove_from_cycle(actor=world.member_a, cycle_evidence=link)
    assert not CycleEvidence.objects.exists()
    assert not Evidence.objects.exists()


def test_remove_keeps_item_and_files_used_by_another_cycle(
    world, cycle, media_files, django_capture_on_commit_callbacks
):
    link = create(world, cycle, files=[pdf()])
    other = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2024-2025")
    services.evidence_carry_over(actor=world.principal_a, source=cycle, target=other)
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_remove_from_cycle(actor=world.member_a, cycle_evidence=link)
    assert Evidence.objects.filter(pk=link.evidence_id).exists()
    assert EvidenceFile.objects.count() == 1
    assert len(media_files()) == 1


def test_carry_over_keeps_codes_and_citations_and_leaves_source_unchanged(world, cycle, media_files):
    a = create(world, cycle, files=[pdf()])
    b = create(world, cycle, code="2.3", name="Danh sách giáo viên")
    services.evidence_cite(actor=None, cycle_evidence=a, criterion=criterion(cycle, "5.1"))
    before = list(CycleEvidence.objects.filter(cycle=cycle).values_list("pk", "code", "criterion_id", "sequence"))
    files_before = EvidenceFile.objects.count()
    target = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2024-2025")
    result = services.evidence_carry_over(actor=world.principal_a, source=cycle, target=target)
    assert result.linked == ["[H1-1.1-01]", "[H2-2.3-01]"]
    assert result.citations == 1
    assert result.skipped == []
    copied = {link.code: link for link in CycleEvidence.objects.filter(cycle=target).select_related("criterion")}
    assert copied["[H1-1.1-01]"].evidence_id == a.evidence_id
    assert copied["[H1-1.1-01]"].criterion.version_id == target.framework_id
    assert (copied["[H2-2.3-01]"].box, copied["[H2-2.3-01]"].sequence) == (2, 1)
    assert [c.criterion.code for c in copied["[H1-1.1-01]"].citations.all()] == ["5.1"]
    assert (
        list(CycleEvidence.objects.filter(cycle=cycle).values_list("pk", "code", "criterion_id", "sequence")) == before
    )
    assert EvidenceFile.objects.count() == files_before
    assert Evidence.objects.count() == 2
    # The counter continues after carried codes; a second carry-over changes nothing.
    assert create(world, target, name="Mới").code == "[H1-1.1-02]"
    again = services.evidence_carry_over(actor=world.principal_a, source=cycle, target=target)
    assert again.linked == [] and len(again.already) == 2
    assert b.evidence_id in set(CycleEvidence.objects.filter(cycle=target).values_list("evidence_id", flat=True))


def test_carry_over_to_another_framework_skips_missing_criteria(world, cycle):
    create(world, cycle, code="1.1")
    create(world, cycle, code="1.10", name="Tiêu chí chỉ có ở 2018")
    target = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2026-2027")
    result = services.evidence_carry_over(actor=world.principal_a, source=cycle, target=target)
    assert result.linked == ["[H1-1.1-01]"]
    assert [s["code"] for s in result.skipped] == ["[H1-1.10-01]"]
    assert "1.10" in result.skipped[0]["reason"]
    link = CycleEvidence.objects.get(cycle=target)
    assert Criterion.objects.get(pk=link.criterion_id).version_id == target.framework_id


def test_carry_over_refuses_other_school(world, cycle, frameworks_loaded):
    other = cycle_open(actor=world.principal_b, school=world.school_b, school_year="2025-2026")
    with pytest.raises(ValidationError):
        services.evidence_carry_over(actor=world.principal_a, source=other, target=cycle)


def test_every_write_refused_on_submitted_cycle(world, cycle, media_files):
    link = create(world, cycle, files=[pdf()])
    cycle_set_status(actor=None, cycle=cycle, status="submitted")
    count = AuditEvent.objects.count()
    c21 = criterion(cycle, "2.1")
    attempts = [
        lambda: create(world, cycle, name="Sau khi nộp"),
        lambda: services.evidence_update(actor=world.principal_a, cycle_evidence=link, name="Đổi tên"),
        lambda: services.evidence_file_add(
            actor=world.principal_a, cycle_evidence=link, uploaded_file=pdf("x.pdf", "x")
        ),
        lambda: services.evidence_file_remove(
            actor=world.principal_a, cycle_evidence=link, evidence_file=link.version.files.get()
        ),
        lambda: services.evidence_cite(actor=world.principal_a, cycle_evidence=link, criterion=c21),
        lambda: services.evidence_link_existing(
            actor=world.principal_a, cycle=cycle, evidence=link.evidence, criterion=c21
        ),
        lambda: services.evidence_remove_from_cycle(actor=world.principal_a, cycle_evidence=link),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as e:
            attempt()
        assert "đã nộp" in " ".join(e.value.messages) or "đã nộp hoặc đã chấp nhận" in " ".join(e.value.messages)
    assert AuditEvent.objects.count() == count
    assert EvidenceVersion.objects.get().name == "Quyết định thành lập hội đồng trường"
    assert CycleEvidence.objects.count() == 1
    assert EvidenceFile.objects.count() == 1
    assert not EvidenceCitation.objects.exists()
    assert len(media_files()) == 1


def test_an_opendocument_whose_mimetype_part_is_a_deflate_bomb_is_checked_without_inflating_it(world, cycle):
    """The type check of an OpenDocument file read its "mimetype" part whole: 200 MB from a 200 KB upload (issue #18
    §4, hostile files). It reads no more than a real mimetype can be."""
    import io
    import tracemalloc
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("mimetype", "w", force_zip64=True) as member:
            member.write(b"application/vnd.oasis.opendocument.text")
            for _ in range(200):
                member.write(b"\0" * 1024 * 1024)
        archive.writestr("content.xml", "<office:document-content/>")
    assert len(buffer.getvalue()) < 400_000
    bomb = SimpleUploadedFile("bien-ban.odt", buffer.getvalue())

    tracemalloc.start()
    try:
        with pytest.raises(ValidationError) as e:
            create(world, cycle, files=[bomb])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "không đúng" in e.value.messages[0] or "không phải" in e.value.messages[0], e.value.messages
    assert peak < 10 * 1024 * 1024
    assert not Evidence.objects.exists()

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    link = create(world, cycle, files=[SimpleUploadedFile("bien-ban.odt", buffer.getvalue())])
    assert link.version.files.get().content_type == "application/vnd.oasis.opendocument.text"
