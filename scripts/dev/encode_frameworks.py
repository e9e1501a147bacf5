"""Encode the reference criteria texts (../shared/reference/frameworks/*.yaml) as the project's framework data files.

Run once per reference update: `python scripts/dev/encode_frameworks.py [REFERENCE_DIR]`. The output files in
kiemdinh/frameworks/data/ are the source of truth the app loads; a published version is never rewritten in place
(load_frameworks refuses), so a changed text must be written out under a new version id, or corrected in the data file
itself with a revision record (docs/decisions/0001-framework-revisions.md). A data file that carries revision records
has moved on from the reference texts: this script refuses to overwrite it.
Wording is copied unchanged; provenance (source, confidence, note) travels with every standard, criterion,
indicator and Mức 4 item.
"""

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_REF = ROOT.parent / "shared" / "reference" / "frameworks"
OUT = ROOT / "kiemdinh" / "frameworks" / "data"

SCHOOL_TYPE_MAP = {
    "truong_mam_non": "MN",
    "truong_mau_giao": "MG",
    "nha_tre": "NT",
    "truong_tieu_hoc": "TH",
    "truong_thcs": "THCS",
    "truong_thpt": "THPT",
    "truong_pho_thong_nhieu_cap_hoc": "PTNCH",
}
# Under TT18 the multi-level school types TH&THCS and THCS&THPT are "trường phổ thông có nhiều cấp học".
MULTI_LEVEL = ["TH_THCS", "THCS_THPT", "PTNCH"]


def school_types(raw):
    codes = [SCHOOL_TYPE_MAP[item] for item in raw]
    if "PTNCH" in codes:
        codes = [c for c in codes if c != "PTNCH"] + MULTI_LEVEL
    return codes


def provenance(node, inherited):
    out = {
        "source": str(node.get("source") or inherited["source"]),
        "confidence": node.get("confidence") or inherited["confidence"],
    }
    if node.get("note"):
        out["note"] = node["note"]
    return out


def encode_standards(standards, inherited_default):
    encoded = []
    for std in standards:
        std_prov = provenance(std, inherited_default)
        criteria = []
        for crit in std["criteria"]:
            crit_prov = provenance(crit, std_prov)
            levels = {}
            for level, indicators in sorted(crit["levels"].items()):
                levels[int(level)] = [
                    {
                        "letter": ind["code"] or "",
                        "text": ind["text"],
                        **({"confidence": ind["confidence"]} if ind.get("confidence") else {}),
                        **({"note": ind["note"]} if ind.get("note") else {}),
                    }
                    for ind in indicators
                ]
            item = {"code": crit["code"], "name": crit["name"], **crit_prov}
            if "mandatory" in crit:
                item["mandatory"] = bool(crit["mandatory"])
            if crit.get("name_variant"):
                item["name_variant"] = crit["name_variant"]
            item["levels"] = levels
            if crit.get("levels_3_amended_2025"):
                amended = crit["levels_3_amended_2025"]
                item["amendments"] = [
                    {
                        "level": 3,
                        "basis": amended["basis"],
                        "source": amended["source"],
                        "confidence": amended["confidence"],
                        "lang": amended.get("lang", "vi"),
                        "text": "\n".join(amended["items"]),
                        "note": amended.get("note", ""),
                    }
                ]
            if crit.get("suggested_evidence"):
                item["suggested_evidence"] = crit["suggested_evidence"]
            if crit.get("quantitative_data"):
                item["quantitative_data"] = list(crit["quantitative_data"])
            criteria.append(item)
        encoded.append({"code": std["code"], "name": std["name"], **std_prov, "criteria": criteria})
    return encoded


def encode_level4(items):
    out = []
    for item in items:
        if item.get("code") is None:
            continue  # a whole list marked missing (TT18): the version's level4_status says so
        entry = {
            "code": str(item["code"]),
            "text": item.get("text") or "",
            "lang": item.get("lang", "vi" if item.get("text_en") else "en"),
            "source": str(item.get("source", "")),
            "confidence": item["confidence"],
        }
        if item.get("text_en"):
            entry["text_en"] = item["text_en"]
        if item.get("note"):
            entry["note"] = item["note"]
        if entry["confidence"] == "missing":
            entry["lang"] = ""
        out.append(entry)
    return out


def level4_status(items):
    if not items:
        return "missing"
    if any(i["confidence"] == "missing" for i in items):
        return "partial"
    return "complete"


def header(doc, version_id, **extra):
    out = {
        "id": version_id,
        "status": "published",
        "circular": doc["circular"],
        "title": doc["title"],
        "issued": str(doc["issued"]),
        "effective": str(doc["effective"])[:10],
    }
    if len(str(doc["effective"])) > 10:
        out["effective_note"] = str(doc["effective"])
    out.update(extra)
    return out


def encode_2018(doc, version_id, reference_file):
    level4 = encode_level4(doc.get("level4_criteria", []))
    missing_note = next((i.get("note") for i in doc.get("level4_criteria", []) if i.get("code") is None), "")
    data = header(
        doc,
        version_id,
        regime="2018",
        school_types=school_types(doc["school_types"]),
        source=f"../shared/reference/frameworks/{reference_file}",
        confidence="exact",
        note="Chỉ báo Mức 1–3 theo nguyên văn năm 2018; các sửa đổi của TT 22/2024 chưa tìm thấy văn bản.",
    )
    if doc.get("signer"):
        data["signer"] = doc["signer"]
    data["guidance_letter"] = doc.get("guidance_letter", "")
    data["sources"] = {k: " ".join(str(v).split()) for k, v in doc["sources"].items()}
    data["level4_status"] = level4_status(level4) if level4 else "missing"
    if missing_note:
        data["level4_note"] = missing_note
    data["standards"] = encode_standards(doc["standards"], {"source": "", "confidence": "exact"})
    data["level4_items"] = level4
    data["rules"] = doc.get("rules", {})
    return data


def encode_tt57(doc, variant, version_id, reference_file, label):
    data = header(
        doc,
        version_id,
        regime="tt57",
        variant=label,
        school_types=school_types(variant["school_types"]),
        source=f"../shared/reference/frameworks/{reference_file} ({variant['appendix']})",
        confidence="exact_per_seed",
        note="Văn bản theo một nguồn dữ liệu chưa đối chiếu với công báo; quy tắc xếp mức là diễn giải.",
    )
    data["sources"] = {k: " ".join(str(v).split()) for k, v in doc["sources"].items()}
    data["level4_status"] = "none"
    data["standards"] = encode_standards(
        variant["standards"], {"source": "S_TT57_SEED", "confidence": "exact_per_seed"}
    )
    data["level4_items"] = []
    data["rules"] = doc.get("rules", {})
    return data


def dump(data, name):
    existing = OUT / name
    if existing.is_file() and (yaml.safe_load(existing.read_text(encoding="utf-8")) or {}).get("revisions"):
        sys.exit(f"{existing} carries revision records: edit it with a new revision instead of re-encoding it.")
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100000)
    (OUT / name).write_text(
        "# Generated by scripts/dev/encode_frameworks.py from the reference texts; see the header of that script.\n"
        + text,
        encoding="utf-8",
    )


def main():
    ref = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_REF
    load = lambda name: yaml.safe_load((ref / name).read_text(encoding="utf-8"))  # noqa: E731
    for version_id, name in [
        ("tt17-2018", "framework_tt17_2018_primary.yaml"),
        ("tt18-2018", "framework_tt18_2018_secondary.yaml"),
        ("tt19-2018", "framework_tt19_2018_kindergarten.yaml"),
    ]:
        dump(encode_2018(load(name), version_id, name), f"{version_id}.yaml")
    tt57 = load("framework_tt57_2026.yaml")
    variants = {v["id"]: v for v in tt57["variants"]}
    dump(
        encode_tt57(
            tt57,
            variants["tt57_2026_phu_luc_I"],
            "tt57-2026-mn",
            "framework_tt57_2026.yaml",
            "Phụ lục I — cơ sở giáo dục mầm non",
        ),
        "tt57-2026-mn.yaml",
    )
    dump(
        encode_tt57(
            tt57,
            variants["tt57_2026_phu_luc_II"],
            "tt57-2026-pt",
            "framework_tt57_2026.yaml",
            "Phụ lục II — cơ sở giáo dục phổ thông",
        ),
        "tt57-2026-pt.yaml",
    )


if __name__ == "__main__":
    main()
