"""Reads of recognition decisions across schools (fixed query counts)."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from kiemdinh.recognition.models import Decision, DecisionKind


def _ids(school_ids):
    """A queryset of ids stays a subquery (a province's thousand schools are not sent as parameters)."""
    return school_ids if isinstance(school_ids, QuerySet) else list(school_ids)


@dataclass(frozen=True)
class Standing:
    """A school's recognitions in force on a day: the latest valid decision of each kind."""

    accreditation: Decision | None
    national_standard: Decision | None

    @property
    def label(self) -> str:
        """ "CĐ2-MĐ1", "CĐ3", "MĐ1" or ""."""
        return "-".join(d.label for d in (self.accreditation, self.national_standard) if d)

    @property
    def expires_on(self) -> date | None:
        dates = [d.valid_until for d in (self.accreditation, self.national_standard) if d]
        return min(dates) if dates else None


def _in_force(on: date, public: bool):
    decisions = Decision.objects.valid_on(on)
    return decisions.filter(published=True, revoked_on__isnull=True) if public else decisions


def standings(school_ids, on: date, *, public: bool = False) -> dict[int, Standing]:
    """Per school id, its recognitions in force on `on` (one query); schools without any are left out. public: only
    decisions marked for publication and never revoked (the public pages)."""
    latest: dict[tuple[int, str], Decision] = {}
    for decision in _in_force(on, public).filter(school_id__in=_ids(school_ids)).order_by("decided_on", "id"):
        latest[(decision.school_id, decision.kind)] = decision
    result: dict[int, Standing] = {}
    for school_id in {key[0] for key in latest}:
        result[school_id] = Standing(
            accreditation=latest.get((school_id, DecisionKind.ACCREDITATION)),
            national_standard=latest.get((school_id, DecisionKind.NATIONAL_STANDARD)),
        )
    return result


def standing_counts(school_ids, on: date, *, public: bool = False) -> dict[tuple[str, int], int]:
    """(kind, level) → how many of the schools hold that grade or level on `on`, by the rule of `standings` (the
    latest decision of each kind in force), counted in one aggregate query rather than loading every decision."""
    in_force = _in_force(on, public)
    newer = in_force.filter(school_id=OuterRef("school_id"), kind=OuterRef("kind")).filter(
        Q(decided_on__gt=OuterRef("decided_on")) | Q(decided_on=OuterRef("decided_on"), id__gt=OuterRef("id"))
    )
    rows = (
        in_force.filter(school_id__in=_ids(school_ids))
        .exclude(Exists(newer))
        .order_by()
        .values_list("kind", "level")
        .annotate(n=Count("id"))
    )
    return {(kind, level): n for kind, level, n in rows}


def ever_recognised(school_ids) -> set[int]:
    """Schools with any decision at all, expired or revoked included (one query)."""
    return set(Decision.objects.filter(school_id__in=_ids(school_ids)).values_list("school_id", flat=True).distinct())


def expiring_decisions(school_ids, start: date, end: date) -> QuerySet[Decision]:
    """Decisions still in force on `start` that run out by `end` (unordered); a decision followed by a newer one of
    the same kind is left out, since the school has already been recognised again."""
    newer = Decision.objects.filter(
        school_id=OuterRef("school_id"), kind=OuterRef("kind"), revoked_on__isnull=True
    ).filter(Q(decided_on__gt=OuterRef("decided_on")) | Q(decided_on=OuterRef("decided_on"), id__gt=OuterRef("id")))
    return (
        Decision.objects.filter(
            school_id__in=_ids(school_ids), revoked_on__isnull=True, valid_until__gte=start, valid_until__lte=end
        )
        .exclude(Exists(newer))
        .order_by()
    )


def expiring(school_ids, start: date, end: date) -> list[Decision]:
    """`expiring_decisions` with their schools, soonest first (one query)."""
    found = expiring_decisions(school_ids, start, end).select_related("school").order_by("id")
    return sorted(found, key=lambda d: (d.valid_until, d.school.name))


# --- One decision's history ------------------------------------------------------------------------------------------

HISTORY_FIELDS = {
    "kind": "loại",
    "level": "cấp độ / mức độ",
    "number": "số quyết định",
    "decided_on": "ngày ký",
    "issuer": "cơ quan ban hành",
    "signer_name": "người ký",
    "valid_from": "hiệu lực từ",
    "valid_until": "hiệu lực đến",
    "revoked_on": "ngày thu hồi",
    "revoked_reason": "lý do thu hồi",
    "note": "ghi chú",
    "published": "công khai",
}


@dataclass(frozen=True)
class Version:
    """One step of a decision's history: entered or issued, corrected, revoked (who, when, why, what changed)."""

    at: object  # datetime
    user: str
    reason: str
    first: bool
    changes: tuple[tuple[str, str, str], ...]  # (field label, before, after)


def _shown(value) -> str:
    if value is None or value == "":
        return "(trống)"
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def decision_versions(decision: Decision) -> list[Version]:
    """The decision's history, oldest first (one query). A decision entered before its history was kept starts with
    its record's own creation (created_at, created_by)."""
    rows = list(decision.history.select_related("history_user").order_by("history_date", "history_id"))
    versions: list[Version] = []
    previous = None
    for row in rows:
        changes = ()
        if previous is not None:
            changes = tuple(
                (label, _shown(getattr(previous, name)), _shown(getattr(row, name)))
                for name, label in HISTORY_FIELDS.items()
                if getattr(previous, name) != getattr(row, name)
            )
        user = row.history_user.display_name if row.history_user else "Hệ thống"
        versions.append(Version(row.history_date, user, row.history_change_reason or "", previous is None, changes))
        previous = row
    if not rows or rows[0].history_type != "+":
        who = decision.created_by.display_name if decision.created_by else "Hệ thống"
        how = "Ban hành từ kết quả đánh giá ngoài" if decision.team_id else "Ghi quyết định"
        versions.insert(0, Version(decision.created_at, who, how, True, ()))
    return versions
