"""Writes of framework data: loading a data file into the database by natural keys, with its revision history.

A published version is immutable, with one documented exception: a revision record (docs/decisions/
0001-framework-revisions.md). The data file lists its revisions under `revisions:`; each names the content hash it
starts from (`previous_hash`), the date, the reason, the source and the changes it makes. The loader accepts a
published file whose content changed only when one of its revisions not yet recorded starts from the stored hash; it
then applies the file, records the revision(s) and keeps every value it replaced (`FrameworkRevision.diff`). Rows are
updated in place, so every rating, form and plan line that points to them keeps pointing to the same requirement.
"""

import json
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.frameworks.choices import Confidence, Level4Status, RevisionKind, VersionStatus
from kiemdinh.frameworks.models import Criterion, FrameworkRevision, FrameworkVersion, Indicator, Level4Item, Standard
from kiemdinh.frameworks.spec import content_hash


class PublishedVersionChanged(Exception):
    """A published version's data file no longer matches what was loaded, and no revision record explains it."""


class FrameworkDataError(ValueError):
    """A data file that cannot be loaded as written (a malformed revision record, a change that does not match)."""


@dataclass(frozen=True)
class LoadResult:
    code: str
    action: str  # "created", "updated", "revised", "unchanged"
    revisions: tuple[str, ...] = ()


def _date(value) -> date | None:
    if not value:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


# --- revision records ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Revision:
    code: str
    kind: str
    date: date
    reason: str
    source: str
    previous_hash: str
    renames: dict
    changes: list


def _revisions(data: dict) -> list[Revision]:
    """The `revisions:` records of a data file, checked; FrameworkDataError names the first wrong one."""
    found, seen = [], set()
    for number, raw in enumerate(data.get("revisions") or [], start=1):
        where = f"{data.get('id')}: bản ghi đính chính thứ {number}"
        if not isinstance(raw, dict):
            raise FrameworkDataError(f"{where} phải là một bảng khóa – giá trị.")
        missing = [k for k in ("id", "kind", "date", "reason", "previous_hash") if not raw.get(k)]
        if missing:
            raise FrameworkDataError(f"{where} thiếu {', '.join(missing)}.")
        if raw["kind"] not in RevisionKind.values:
            raise FrameworkDataError(f"{where}: loại “{raw['kind']}” không hợp lệ (erratum hoặc amendment).")
        if raw["id"] in seen:
            raise FrameworkDataError(f"{where}: mã “{raw['id']}” bị trùng.")
        seen.add(raw["id"])
        try:
            when = _date(raw["date"])
        except ValueError as exc:
            raise FrameworkDataError(f"{where}: ngày “{raw['date']}” không hợp lệ (YYYY-MM-DD).") from exc
        renames = raw.get("renames") or {}
        if set(renames) - {"level4_items"}:
            raise FrameworkDataError(f"{where}: chỉ đổi được mã tiêu chí Mức 4 (renames.level4_items).")
        changes = list(raw.get("changes") or [])
        for change in changes:
            if not isinstance(change, dict) or "|" not in str(change.get("path", "")):
                raise FrameworkDataError(f"{where}: mỗi thay đổi cần path dạng “nơi|trường”.")
        found.append(
            Revision(
                code=str(raw["id"]),
                kind=raw["kind"],
                date=when,
                reason=str(raw["reason"]),
                source=str(raw.get("source", "")),
                previous_hash=str(raw["previous_hash"]),
                renames={k: {str(a): str(b) for a, b in v.items()} for k, v in renames.items()},
                changes=changes,
            )
        )
    return found


def _pending(existing: FrameworkVersion, revisions: list[Revision], digest: str) -> list[Revision]:
    """The revisions that take the stored content to the file's; PublishedVersionChanged when none does."""
    recorded = set(existing.revisions.values_list("code", flat=True))
    pending = [r for r in revisions if r.code not in recorded]
    start = next((i for i, r in enumerate(pending) if r.previous_hash == existing.content_hash), None)
    if start is None:
        raise PublishedVersionChanged(
            f"Phiên bản {existing.code} đã công bố nên không được sửa nội dung. Hãy lưu văn bản mới thành một phiên bản "
            f"mới (ví dụ {existing.code}-r2) trong một tệp dữ liệu mới; tệp cũ phải giữ nguyên. Nếu đây là đính chính "
            f"lỗi chép hoặc ghi nhận văn bản sửa đổi, thêm vào tệp một bản ghi revisions có previous_hash: "
            f"{existing.content_hash} (nội dung đang lưu), ngày, lý do, nguồn và các thay đổi; tệp hiện có mã {digest}."
        )
    return pending[start:]


# --- flattening a version (the file, or the stored rows) into {"where|field": value} ---------------------------------


def _indicator_node(criterion: str, level: int, letter: str) -> str:
    return f"tiêu chí {criterion}, Mức {level}" + (f", chỉ báo {letter})" if letter else "")


def _as_text(value) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _prov(node: dict, parent: dict) -> dict:
    return {
        "source": str(node.get("source") or parent.get("source", "")),
        "confidence": node.get("confidence") or parent.get("confidence", Confidence.APPROXIMATE),
        "note": node.get("note", ""),
    }


VERSION_FIELDS = (
    "regime", "circular", "title", "variant", "school_types", "issued", "effective", "effective_note",
    "level4_status", "level4_note", "guidance_letter", "sources", "rules", "source", "confidence", "note",
)  # fmt: skip


def _version_fields(data: dict) -> dict:
    return {
        "regime": str(data["regime"]),
        "circular": data["circular"],
        "title": data["title"],
        "variant": data.get("variant", ""),
        "school_types": list(data.get("school_types", [])),
        "issued": _date(data["issued"]),
        "effective": _date(data.get("effective")),
        "effective_note": data.get("effective_note", ""),
        "level4_status": data.get("level4_status", Level4Status.NONE),
        "level4_note": data.get("level4_note", ""),
        "guidance_letter": data.get("guidance_letter", ""),
        "sources": data.get("sources", {}),
        "rules": data.get("rules", {}),
        "source": data.get("source", ""),
        "confidence": data.get("confidence", Confidence.APPROXIMATE),
        "note": data.get("note", ""),
    }


def flatten_file(data: dict) -> dict[str, str]:
    """What a data file says, as {"node|field": text}; provenance inherited as the loader stores it."""
    flat = {f"phiên bản|{k}": _as_text(v) for k, v in _version_fields(data).items()}
    for std in data["standards"]:
        s_prov = _prov(std, data)
        node = f"tiêu chuẩn {std['code']}"
        flat |= {f"{node}|name": std["name"], **{f"{node}|{k}": v for k, v in s_prov.items()}}
        for crit in std["criteria"]:
            c_prov = _prov(crit, s_prov)
            node = f"tiêu chí {crit['code']}"
            flat |= {
                f"{node}|name": crit["name"],
                f"{node}|name_variant": crit.get("name_variant", ""),
                f"{node}|mandatory": _as_text(bool(crit.get("mandatory", False))),
                f"{node}|suggested_evidence": crit.get("suggested_evidence", ""),
                f"{node}|quantitative_data": _as_text(crit.get("quantitative_data", [])),
                f"{node}|amendments": _as_text(crit.get("amendments", [])),
                **{f"{node}|{k}": v for k, v in c_prov.items()},
            }
            for level, indicators in crit["levels"].items():
                for ind in indicators:
                    inode = _indicator_node(str(crit["code"]), int(level), ind["letter"])
                    flat |= {f"{inode}|text": ind["text"], **{f"{inode}|{k}": v for k, v in _prov(ind, c_prov).items()}}
    for item in data.get("level4_items", []):
        node = f"tiêu chí Mức 4 – {item['code']}"
        flat |= {
            f"{node}|text": item.get("text", ""),
            f"{node}|article": item.get("article", ""),
            f"{node}|lang": item.get("lang", ""),
            **{f"{node}|{k}": v for k, v in _prov(item, data).items()},
        }
    return flat


def flatten_stored(version: FrameworkVersion) -> dict[str, str]:
    """The same shape from the database rows of a version (five queries)."""
    flat = {f"phiên bản|{k}": _as_text(getattr(version, k)) for k in VERSION_FIELDS}
    prov = ("source", "confidence", "note")
    for s in Standard.objects.filter(version=version):
        flat |= {f"tiêu chuẩn {s.code}|{k}": getattr(s, k) for k in ("name", *prov)}
    for c in Criterion.objects.filter(version=version):
        node = f"tiêu chí {c.code}"
        flat |= {f"{node}|{k}": getattr(c, k) for k in ("name", "name_variant", "suggested_evidence", *prov)}
        flat |= {f"{node}|{k}": _as_text(getattr(c, k)) for k in ("mandatory", "quantitative_data", "amendments")}
    for i in Indicator.objects.filter(criterion__version=version).select_related("criterion"):
        node = _indicator_node(i.criterion.code, i.level, i.letter)
        flat |= {f"{node}|{k}": getattr(i, k) for k in ("text", *prov)}
    for item in Level4Item.objects.filter(version=version):
        node = f"tiêu chí Mức 4 – {item.code}"
        flat |= {f"{node}|{k}": getattr(item, k) for k in ("text", "article", "lang", *prov)}
    return flat


def _diff(before: dict[str, str], after: dict[str, str]) -> list[dict]:
    return [
        {"path": path, "before": before.get(path), "after": after.get(path)}
        for path in sorted(before.keys() | after.keys())
        if before.get(path) != after.get(path)
    ]


def _check_changes(revisions: list[Revision], before: dict[str, str] | None, after: dict[str, str]) -> None:
    """Each declared change must say what the file now holds, and (over stored rows) what they held before."""
    for revision in revisions:
        for change in revision.changes:
            path = change["path"]
            if "after" in change and after.get(path) != change["after"]:
                raise FrameworkDataError(
                    f"Bản ghi {revision.code}: “{path}” trong tệp không khớp với nội dung sau đính chính đã ghi."
                )
            if before is not None and change.get("before") is not None:
                renamed = _renamed_path(path, revision.renames, reverse=True)
                if before.get(renamed) != change["before"]:
                    raise FrameworkDataError(
                        f"Bản ghi {revision.code}: “{path}” đang lưu không khớp với nội dung trước đính chính đã ghi."
                    )


def _renamed_path(path: str, renames: dict, *, reverse: bool = False) -> str:
    for old, new in (renames.get("level4_items") or {}).items():
        source, target = (new, old) if reverse else (old, new)
        if path.startswith(f"tiêu chí Mức 4 – {source}|"):
            return path.replace(f"– {source}|", f"– {target}|", 1)
    return path


# --- loading ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def framework_version_load(*, data: dict, actor=None) -> LoadResult:
    """Create or update one framework version from its data file contents. Idempotent.

    A published version whose stored content hash differs from the file is refused unless the file carries a revision
    record starting from the stored hash (then applied in place and recorded); otherwise the change needs a new
    version id (for example tt17-2018-r2) and a new data file.
    """
    code = data["id"]
    digest = content_hash(data)
    revisions = _revisions(data)
    existing = FrameworkVersion.objects.select_for_update().filter(code=code).first()
    applying: list[Revision] = []
    before = None
    if existing is not None:
        if existing.content_hash == digest and existing.status == data.get("status", VersionStatus.DRAFT):
            return LoadResult(code, "unchanged")
        if existing.status == VersionStatus.PUBLISHED and existing.content_hash != digest:
            applying = _pending(existing, revisions, digest)
            before = flatten_stored(existing)
            _check_changes(applying, before, flatten_file(data))
            _apply_renames(existing, applying)
    else:
        _check_changes(revisions, None, flatten_file(data))
    fields = _version_fields(data) | {"status": data.get("status", VersionStatus.DRAFT), "content_hash": digest}
    version, created = FrameworkVersion.objects.update_or_create(code=code, defaults=fields)
    _sync_content(version, data)
    diff = _diff(before, flatten_stored(version)) if before is not None else []
    recorded = _record_revisions(version, revisions, applying, digest, diff)
    action = "created" if created else ("revised" if applying else "updated")
    audit.record(
        actor=actor,
        event_type=Event.FRAMEWORK_LOADED,
        obj=version,
        data={"code": code, "action": action, "hash": digest, "revisions": list(recorded), "changed": len(diff)},
    )
    return LoadResult(code, action, recorded)


def _apply_renames(version: FrameworkVersion, revisions: list[Revision]) -> None:
    """Give kept Mức 4 rows their new code before the sync, so that what points to them follows (no delete)."""
    for revision in revisions:
        for old, new in (revision.renames.get("level4_items") or {}).items():
            item = version.level4_items.filter(code=old).first()
            if item is None:
                continue
            if version.level4_items.filter(code=new).exists():
                raise FrameworkDataError(
                    f"Bản ghi {revision.code}: không đổi được mã Mức 4 {old} → {new} (đã có {new})."
                )
            item.code = new
            item.save(update_fields=["code", "search_text"])


def _record_revisions(version, revisions, applying, digest, diff) -> tuple[str, ...]:
    recorded = set(version.revisions.values_list("code", flat=True))
    applied = {r.code for r in applying}
    last = applying[-1].code if applying else None
    made = []
    for r in revisions:
        if r.code in recorded:
            continue
        FrameworkRevision.objects.create(
            version=version,
            code=r.code,
            kind=r.kind,
            date=r.date,
            reason=r.reason,
            source=r.source,
            previous_hash=r.previous_hash,
            content_hash=digest,
            renames=r.renames,
            changes=r.changes,
            diff=diff if r.code == last else [],
            applied_to_stored=r.code in applied,
        )
        made.append(r.code)
    return tuple(made)


def _sync_content(version: FrameworkVersion, data: dict) -> None:
    """Upsert standards, criteria, indicators and Mức 4 items by natural key; drop what the file no longer has.

    Only draft versions, or published ones through a revision record, reach this with changed content; a revision
    changes texts in place (and renames kept Mức 4 rows first), so nothing rated loses its target.
    """
    kept_standards, kept_criteria, kept_items = [], [], []
    position = 0
    for s_pos, std in enumerate(data["standards"], start=1):
        s_prov = _prov(std, data)
        standard, _ = Standard.objects.update_or_create(
            version=version,
            code=str(std["code"]),
            defaults={"name": std["name"], "position": s_pos, **s_prov},
        )
        kept_standards.append(standard.pk)
        for crit in std["criteria"]:
            position += 1
            c_prov = _prov(crit, s_prov)
            levels = {int(k): v for k, v in crit["levels"].items()}
            criterion, _ = Criterion.objects.update_or_create(
                version=version,
                code=str(crit["code"]),
                defaults={
                    "standard": standard,
                    "name": crit["name"],
                    "name_variant": crit.get("name_variant", ""),
                    "mandatory": bool(crit.get("mandatory", False)),
                    "position": position,
                    "max_level": max(levels),
                    "suggested_evidence": crit.get("suggested_evidence", ""),
                    "quantitative_data": crit.get("quantitative_data", []),
                    "amendments": crit.get("amendments", []),
                    **c_prov,
                },
            )
            kept_criteria.append(criterion.pk)
            kept_indicators = []
            for level, indicators in sorted(levels.items()):
                for i_pos, ind in enumerate(indicators, start=1):
                    indicator, _ = Indicator.objects.update_or_create(
                        criterion=criterion,
                        level=level,
                        letter=ind["letter"],
                        defaults={"text": ind["text"], "position": i_pos, **_prov(ind, c_prov)},
                    )
                    kept_indicators.append(indicator.pk)
            criterion.indicators.exclude(pk__in=kept_indicators).delete()
    for i_pos, item in enumerate(data.get("level4_items", []), start=1):
        obj, _ = Level4Item.objects.update_or_create(
            version=version,
            code=str(item["code"]),
            defaults={
                "text": item.get("text", ""),
                "article": item.get("article", ""),
                "lang": item.get("lang", ""),
                "position": i_pos,
                **_prov(item, data),
            },
        )
        kept_items.append(obj.pk)
    version.level4_items.exclude(pk__in=kept_items).delete()
    version.criteria.exclude(pk__in=kept_criteria).delete()
    version.standards.exclude(pk__in=kept_standards).delete()
