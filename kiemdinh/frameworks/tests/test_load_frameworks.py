"""load_frameworks: idempotent by natural keys; published versions are immutable; data keeps the reference wording."""

import copy
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from kiemdinh.core.models import AuditEvent
from kiemdinh.frameworks.models import Criterion, FrameworkRevision, FrameworkVersion, Indicator, Level4Item, Standard
from kiemdinh.frameworks.services import FrameworkDataError, PublishedVersionChanged, framework_version_load
from kiemdinh.frameworks.spec import DATA_DIR, content_hash, read_data_file

# Each test loads the versions it needs, from an empty database: the session's preloaded ones are removed.
pytestmark = pytest.mark.usefixtures("no_frameworks")

REFERENCE = next(
    (
        candidate
        for p in Path(__file__).resolve().parents
        if (candidate := p / "shared" / "reference" / "frameworks").is_dir()
    ),
    Path("/nonexistent"),
)


def counts():
    return tuple(m.objects.count() for m in (FrameworkVersion, Standard, Criterion, Indicator, Level4Item))


@pytest.mark.django_db
def test_load_is_idempotent(no_frameworks):
    out = StringIO()
    call_command("load_frameworks", stdout=out)
    assert out.getvalue().count("đã tạo") == 5
    first = counts()
    ids = sorted(Indicator.objects.values_list("pk", flat=True))
    out = StringIO()
    call_command("load_frameworks", stdout=out)
    assert out.getvalue().count("không đổi") == 5
    assert counts() == first
    assert sorted(Indicator.objects.values_list("pk", flat=True)) == ids
    assert AuditEvent.objects.filter(event_type="framework.loaded").count() == 5


@pytest.mark.django_db
def test_loaded_counts_match_the_regulations(frameworks_loaded):
    def n(code, **kw):
        return Criterion.objects.filter(version__code=code, **kw).count()

    assert [n(c) for c in ("tt17-2018", "tt18-2018", "tt19-2018", "tt57-2026-mn", "tt57-2026-pt")] == [
        27, 28, 25, 15, 15,
    ]  # fmt: skip
    assert (
        Indicator.objects.filter(criterion__version__code="tt17-2018", level=3).values("criterion").distinct().count()
        == 19
    )
    assert n("tt57-2026-pt", mandatory=True) == 8
    for code, n in (("tt17-2018", 5), ("tt18-2018", 6), ("tt19-2018", 6)):
        v = FrameworkVersion.objects.get(code=code)
        assert v.level4_status == "complete"
        assert list(v.level4_items.values_list("code", "article", "confidence", "lang")) == [
            (str(k), f"khoản {k} Điều 22", "exact", "vi") for k in range(1, n + 1)
        ]
    approx = Indicator.objects.get(criterion__version__code="tt17-2018", criterion__code="1.6", level=1, letter="c")
    assert approx.confidence == "approximate" and "phục vụ" in approx.note
    tt57 = Criterion.objects.get(version__code="tt57-2026-mn", code="1.3")
    assert tt57.confidence == "exact_per_seed" and tt57.mandatory


def _modified(code: str) -> dict:
    data = copy.deepcopy(read_data_file(DATA_DIR / f"{code}.yaml"))
    data["standards"][0]["criteria"][0]["levels"][1][0]["text"] += " (sửa)"
    return data


@pytest.mark.django_db
def test_published_version_refuses_changed_text(frameworks_loaded, tmp_path):
    before = Indicator.objects.get(
        criterion__version__code="tt17-2018", criterion__code="1.1", level=1, letter="a"
    ).text
    with pytest.raises(PublishedVersionChanged, match="đã công bố"):
        framework_version_load(data=_modified("tt17-2018"))
    path = tmp_path / "tt17-2018.yaml"
    path.write_text(yaml.safe_dump(_modified("tt17-2018"), allow_unicode=True), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="bị từ chối"):
        call_command("load_frameworks", str(path), stderr=err)
    assert "phiên bản mới" in err.getvalue()
    after = Indicator.objects.get(criterion__version__code="tt17-2018", criterion__code="1.1", level=1, letter="a").text
    assert after == before


@pytest.mark.django_db
def test_a_new_version_id_carries_the_changed_text(frameworks_loaded):
    data = _modified("tt17-2018")
    data["id"] = "tt17-2018-r2"
    assert framework_version_load(data=data).action == "created"
    assert Criterion.objects.filter(version__code="tt17-2018-r2").count() == 27


@pytest.mark.django_db
def test_a_draft_version_can_be_updated_in_place(frameworks_loaded):
    data = _modified("tt57-2026-pt")
    data["id"], data["status"] = "tt57-draft", "draft"
    framework_version_load(data=data)
    data = copy.deepcopy(data)
    data["standards"][0]["criteria"][0]["levels"][1][0]["text"] = "Văn bản mới"
    del data["standards"][-1]["criteria"][-1]
    assert framework_version_load(data=data).action == "updated"
    assert Criterion.objects.filter(version__code="tt57-draft").count() == 14
    assert (
        Indicator.objects.get(criterion__version__code="tt57-draft", criterion__code="1.1", level=1).text
        == "Văn bản mới"
    )


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="../shared/reference is not beside this checkout")
def test_every_text_equals_the_reference_wording():
    """The data files are encoded from ../shared/reference: every indicator and Mức 4 item keeps its exact text."""
    pairs = {
        "tt17-2018": ("framework_tt17_2018_primary.yaml", None),
        "tt18-2018": ("framework_tt18_2018_secondary.yaml", None),
        "tt19-2018": ("framework_tt19_2018_kindergarten.yaml", None),
        "tt57-2026-mn": ("framework_tt57_2026.yaml", "tt57_2026_phu_luc_I"),
        "tt57-2026-pt": ("framework_tt57_2026.yaml", "tt57_2026_phu_luc_II"),
    }
    for code, (ref_name, variant) in pairs.items():
        ref = yaml.safe_load((REFERENCE / ref_name).read_text(encoding="utf-8"))
        if variant:
            ref_standards = next(v for v in ref["variants"] if v["id"] == variant)["standards"]
        else:
            ref_standards = ref["standards"]
        ours = read_data_file(DATA_DIR / f"{code}.yaml")
        assert ours["circular"] == ref["circular"] and ours["title"] == ref["title"]

        def texts(standards, letter_key):
            return [
                (s["code"], s["name"], c["code"], c["name"], int(lv), i[letter_key] or "", i["text"])
                for s in standards
                for c in s["criteria"]
                for lv, inds in sorted(c["levels"].items())
                for i in inds
            ]

        # Every difference from the reference wording is a source typo corrected by a declared revision change.
        declared = {
            c["path"]: (c.get("before"), c.get("after")) for r in ours.get("revisions", []) for c in r["changes"]
        }
        mine, theirs = texts(ours["standards"], "letter"), texts(ref_standards, "code")
        assert len(mine) == len(theirs), code
        for a, b in zip(mine, theirs, strict=True):
            assert a[:6] == b[:6], (code, a[:6])
            if a[6] != b[6]:
                path = f"tiêu chí {a[2]}, Mức {a[4]}" + (f", chỉ báo {a[5]})" if a[5] else "") + "|text"
                assert declared.get(path) == (b[6], a[6]), (code, path)
        # The Mức 4 items come from muc4_official_vi.json (test_muc4_official), not from these reference files.


# --- revision records: a published version corrected in place, with its history --------------------------------------

PUBLISHED = Path(__file__).resolve().parent / "published"  # the files as published before the 2026-12-07 erratum


def _published(code: str) -> dict:
    return yaml.safe_load((PUBLISHED / f"{code}.2026-11.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("code", ["tt17-2018", "tt18-2018", "tt19-2018"])
def test_each_revision_starts_from_the_published_content(code):
    [revision] = read_data_file(DATA_DIR / f"{code}.yaml")["revisions"]
    assert revision["previous_hash"] == content_hash(_published(code))
    assert revision["kind"] == "erratum" and revision["date"] == "2026-12-07"


@pytest.mark.django_db
def test_the_erratum_keeps_every_rating_and_records_what_it_replaced(world):
    from kiemdinh.selfassessment.models import Level4Rating
    from kiemdinh.selfassessment.services import cycle_record_ratings
    from kiemdinh.workflow.services import cycle_open

    for code in ("tt17-2018", "tt19-2018"):
        framework_version_load(data=_published(code))
    primary = cycle_open(actor=world.admin, school=world.school_a, school_year="2021-2022")
    kindergarten = cycle_open(actor=world.admin, school=world.school_b, school_year="2021-2022")
    cycle_record_ratings(
        actor=world.admin, cycle=primary, indicators={}, level4={"1": True, "2": False, "3": True, "4": False}
    )
    cycle_record_ratings(actor=world.admin, cycle=kindergarten, indicators={}, level4={"1": True, "5+": True})
    english = Level4Item.objects.get(version__code="tt17-2018", code="1").text
    assert english.startswith("The school's educational plan")
    before = {r.pk: (r.item_id, r.item.code, r.achieved) for r in Level4Rating.objects.select_related("item")}

    results = [framework_version_load(data=read_data_file(DATA_DIR / f"{c}.yaml")) for c in ("tt17-2018", "tt19-2018")]

    assert [(r.action, r.revisions) for r in results] == [("revised", ("2026-12-07-dinh-chinh-du-lieu",))] * 2
    after = {r.pk: (r.item_id, r.item.code, r.achieved) for r in Level4Rating.objects.select_related("item")}
    # Same rows, same items (updated in place), same results; TT19's placeholder "5+" is item 5 now.
    assert after == {pk: (item, "5" if code == "5+" else code, ok) for pk, (item, code, ok) in before.items()}
    item = Level4Item.objects.get(version__code="tt17-2018", code="1")
    assert item.text.startswith("Kế hoạch giáo dục của nhà trường") and item.article == "khoản 1 Điều 22"
    assert Level4Item.objects.filter(version__code="tt19-2018").count() == 6
    revision = FrameworkVersion.objects.get(code="tt17-2018").revisions.get()
    assert revision.applied_to_stored and revision.previous_hash == content_hash(_published("tt17-2018"))
    history = {d["path"]: d for d in revision.diff}
    assert history["tiêu chí Mức 4 – 1|text"] == {
        "path": "tiêu chí Mức 4 – 1|text", "before": english, "after": item.text,
    }  # fmt: skip
    assert "quy chế chỉ tiêu nội bộ" in history["tiêu chí 1.6, Mức 1, chỉ báo b)|text"]["before"]
    renamed = FrameworkVersion.objects.get(code="tt19-2018").revisions.get(code="2026-12-07-dinh-chinh-du-lieu")
    assert renamed.renames == {"level4_items": {"5+": "5"}}
    # The engine now reads the official list: 1 and 5 of 6 met.
    from kiemdinh.selfassessment.selectors import cycle_evaluation

    assert (
        cycle_evaluation(kindergarten).levels[4].achieved == 2 and cycle_evaluation(kindergarten).levels[4].total == 6
    )
    # Loading again changes nothing; the audit trail says what happened.
    assert framework_version_load(data=read_data_file(DATA_DIR / "tt17-2018.yaml")).action == "unchanged"
    event = AuditEvent.objects.filter(event_type="framework.loaded").order_by("-id")[1]
    assert event.data["action"] == "revised" and event.data["revisions"] == ["2026-12-07-dinh-chinh-du-lieu"]


@pytest.mark.django_db
def test_a_fresh_load_records_the_revisions_as_history_without_a_diff(frameworks_loaded):
    revision = FrameworkRevision.objects.get(version__code="tt18-2018")
    assert not revision.applied_to_stored and revision.diff == []
    assert revision.changes and revision.reason.startswith("Đính chính dữ liệu")


@pytest.mark.django_db
def test_a_revision_from_another_content_is_refused_and_changes_nothing(db):
    framework_version_load(data=_published("tt18-2018"))
    data = copy.deepcopy(read_data_file(DATA_DIR / "tt18-2018.yaml"))
    data["revisions"][0]["previous_hash"] = "0" * 64
    with pytest.raises(PublishedVersionChanged, match="previous_hash: " + content_hash(_published("tt18-2018"))):
        framework_version_load(data=data)
    assert Level4Item.objects.filter(version__code="tt18-2018").count() == 0
    assert FrameworkRevision.objects.count() == 0


@pytest.mark.django_db
def test_a_declared_change_that_does_not_match_is_refused(db):
    framework_version_load(data=_published("tt18-2018"))
    data = copy.deepcopy(read_data_file(DATA_DIR / "tt18-2018.yaml"))
    change = next(c for c in data["revisions"][0]["changes"] if c["path"].endswith("chỉ báo b)|text"))
    change["before"] = "Một văn bản khác"
    with pytest.raises(FrameworkDataError, match="không khớp với nội dung trước đính chính"):
        framework_version_load(data=data)
    change["before"], change["after"] = None, "Một văn bản khác"
    with pytest.raises(FrameworkDataError, match="không khớp với nội dung sau đính chính"):
        framework_version_load(data=data)
    assert (
        "năng cao"
        in Indicator.objects.get(criterion__version__code="tt18-2018", criterion__code="5.1", level=1, letter="b").text
    )


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ({"kind": "sửa"}, "loại “sửa” không hợp lệ"),
        ({"date": "07/12/2026"}, "ngày “07/12/2026” không hợp lệ"),
        ({"reason": ""}, "thiếu reason"),
        ({"renames": {"criteria": {"1.1": "1.2"}}}, "chỉ đổi được mã tiêu chí Mức 4"),
        ({"changes": [{"before": "a"}]}, "mỗi thay đổi cần path"),
    ],
)
@pytest.mark.django_db
def test_a_malformed_revision_record_is_refused_in_vietnamese(broken, message):
    data = copy.deepcopy(read_data_file(DATA_DIR / "tt18-2018.yaml"))
    data["revisions"][0].update(broken)
    with pytest.raises(FrameworkDataError, match=message):
        framework_version_load(data=data)
    assert not FrameworkVersion.objects.exists()


@pytest.mark.django_db
def test_the_command_reports_an_applied_revision_and_a_refused_file(tmp_path):
    framework_version_load(data=_published("tt19-2018"))
    out = StringIO()
    call_command("load_frameworks", str(DATA_DIR / "tt19-2018.yaml"), stdout=out)
    assert out.getvalue().strip() == "tt19-2018: đã đính chính (2026-12-07-dinh-chinh-du-lieu)"
    data = copy.deepcopy(read_data_file(DATA_DIR / "tt17-2018.yaml"))
    data["revisions"][0]["kind"] = "khác"
    path = tmp_path / "tt17-2018.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="bị từ chối"):
        call_command("load_frameworks", str(path), stderr=err)
    assert "loại “khác” không hợp lệ" in err.getvalue()
