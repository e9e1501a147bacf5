"""load_frameworks: idempotent by natural keys; published versions are immutable; data keeps the reference wording."""

import copy
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from kiemdinh.core.models import AuditEvent
from kiemdinh.frameworks.models import Criterion, FrameworkVersion, Indicator, Level4Item, Standard
from kiemdinh.frameworks.services import PublishedVersionChanged, framework_version_load
from kiemdinh.frameworks.spec import DATA_DIR, read_data_file

REFERENCE = Path(__file__).resolve().parents[4] / "shared" / "reference" / "frameworks"


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
    v = FrameworkVersion.objects.get(code="tt18-2018")
    assert (v.level4_status, v.level4_items.count()) == ("missing", 0)
    v = FrameworkVersion.objects.get(code="tt19-2018")
    assert v.level4_status == "partial"
    assert list(v.level4_items.values_list("code", "confidence")) == [
        ("1", "approximate"), ("2", "approximate"), ("3", "approximate"), ("4", "approximate"), ("5+", "missing"),
    ]  # fmt: skip
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

        assert texts(ours["standards"], "letter") == texts(ref_standards, "code"), code
        ref_l4 = [(str(i["code"]), i.get("text") or "") for i in ref.get("level4_criteria", []) if i.get("code")]
        assert [(i["code"], i["text"]) for i in ours["level4_items"]] == ref_l4
