"""Writes of framework data: loading a data file into the database by natural keys."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from kiemdinh.core import audit
from kiemdinh.frameworks.models import (
    Criterion,
    FrameworkVersion,
    Indicator,
    Level4Item,
    Standard,
    VersionStatus,
)
from kiemdinh.frameworks.spec import content_hash


class PublishedVersionChanged(Exception):
    """A published version's data file no longer matches what was loaded: it needs a new version id."""


@dataclass(frozen=True)
class LoadResult:
    code: str
    action: str  # "created", "updated", "unchanged"


def _date(value) -> date | None:
    if not value:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


@transaction.atomic
def framework_version_load(*, data: dict, actor=None) -> LoadResult:
    """Create or update one framework version from its data file contents. Idempotent.

    A published version whose stored content hash differs from the file is refused: its text is immutable, so a
    change needs a new version id (for example tt17-2018-r2) and a new data file.
    """
    code = data["id"]
    digest = content_hash(data)
    existing = FrameworkVersion.objects.filter(code=code).first()
    if existing is not None:
        if existing.content_hash == digest and existing.status == data.get("status", VersionStatus.DRAFT):
            return LoadResult(code, "unchanged")
        if existing.status == VersionStatus.PUBLISHED and existing.content_hash != digest:
            raise PublishedVersionChanged(
                f"Phiên bản {code} đã công bố nên không được sửa nội dung. Hãy lưu văn bản mới thành một phiên bản "
                f"mới (ví dụ {code}-r2) trong một tệp dữ liệu mới; tệp cũ phải giữ nguyên."
            )
    fields = {
        "regime": str(data["regime"]),
        "circular": data["circular"],
        "title": data["title"],
        "variant": data.get("variant", ""),
        "school_types": list(data.get("school_types", [])),
        "issued": _date(data["issued"]),
        "effective": _date(data.get("effective")),
        "effective_note": data.get("effective_note", ""),
        "status": data.get("status", VersionStatus.DRAFT),
        "content_hash": digest,
        "level4_status": data.get("level4_status", "none"),
        "level4_note": data.get("level4_note", ""),
        "guidance_letter": data.get("guidance_letter", ""),
        "sources": data.get("sources", {}),
        "rules": data.get("rules", {}),
        "source": data.get("source", ""),
        "confidence": data.get("confidence", "approximate"),
        "note": data.get("note", ""),
    }
    version, created = FrameworkVersion.objects.update_or_create(code=code, defaults=fields)
    _sync_content(version, data)
    audit.record(
        actor=actor,
        event_type="framework.loaded",
        obj=version,
        data={"code": code, "action": "created" if created else "updated", "hash": digest},
    )
    return LoadResult(code, "created" if created else "updated")


def _prov(node: dict, parent: dict) -> dict:
    return {
        "source": str(node.get("source") or parent.get("source", "")),
        "confidence": node.get("confidence") or parent.get("confidence", "approximate"),
        "note": node.get("note", ""),
    }


def _sync_content(version: FrameworkVersion, data: dict) -> None:
    """Upsert standards, criteria, indicators and Mức 4 items by natural key; drop what the file no longer has.

    Only draft versions can reach this with changed content, so nothing rated can lose its target.
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
                "text_en": item.get("text_en", ""),
                "lang": item.get("lang", ""),
                "position": i_pos,
                **_prov(item, data),
            },
        )
        kept_items.append(obj.pk)
    version.level4_items.exclude(pk__in=kept_items).delete()
    version.criteria.exclude(pk__in=kept_criteria).delete()
    version.standards.exclude(pk__in=kept_standards).delete()
