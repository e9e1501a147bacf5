"""A school's history on one chronological list: its self-assessment cycles, registrations for external evaluation,
teams, recognition decisions and published results (a fixed number of queries, whatever the number of years)."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import TextChoices
from django.urls import reverse
from django.utils import timezone

from kiemdinh.evaluation.models import Publication, Registration, RegistrationStatus, Team
from kiemdinh.evaluation.services.teams import STAGE_ORDER
from kiemdinh.recognition.models import Decision
from kiemdinh.selfassessment.models import CycleTransition


class Area(TextChoices):
    CYCLE = "cycle", "Tự đánh giá"
    REGISTRATION = "registration", "Đăng ký đánh giá ngoài"
    TEAM = "team", "Đoàn đánh giá ngoài"
    DECISION = "decision", "Công nhận"
    PUBLICATION = "publication", "Công khai"


@dataclass(frozen=True)
class Event:
    on: date
    area: str
    title: str
    detail: str = ""
    url: str = ""
    order: int = 0  # keeps the steps of one day in their natural order

    @property
    def area_label(self) -> str:
        return Area(self.area).label

    def is_future(self, today: date) -> bool:
        return self.on > today


def _day(moment: datetime | date) -> date:
    return timezone.localdate(moment) if isinstance(moment, datetime) else moment


def _cycle_events(school) -> list[Event]:
    events = []
    transitions = (
        CycleTransition.objects.filter(cycle__school=school)
        .select_related("cycle__framework")
        .only("kind", "at", "comment", "cycle__school_year", "cycle__framework__circular")
    )
    for t in transitions:
        year = t.cycle.school_year
        detail = t.comment
        if t.kind == CycleTransition.Kind.OPENED:
            detail = t.cycle.framework.circular
        events.append(
            Event(
                _day(t.at),
                Area.CYCLE,
                f"{t.get_kind_display()} — năm học {year}",
                detail,
                reverse("workflow:cycle_detail", args=[t.cycle_id]),
                order=1,
            )
        )
    return events


def _registration_events(school) -> list[Event]:
    events = []
    for r in Registration.objects.filter(school=school).select_related("cycle").order_by("submitted_at", "id"):
        year = r.cycle.school_year
        events.append(
            Event(
                _day(r.submitted_at),
                Area.REGISTRATION,
                f"Đăng ký đánh giá ngoài năm học {year} ({r.get_recognition_round_display().lower()})",
                f"Đề nghị công nhận {r.wants_label}; mức tự đánh giá: Mức {r.requested_level}.",
                order=2,
            )
        )
        if r.decided_at and r.status in (RegistrationStatus.ACCEPTED, RegistrationStatus.RETURNED):
            verb = "được chấp nhận" if r.status == RegistrationStatus.ACCEPTED else "bị trả lại"
            events.append(Event(_day(r.decided_at), Area.REGISTRATION, f"Đăng ký {year} {verb}", r.comment, order=3))
    return events


def _team_events(school, manage: bool) -> list[Event]:
    events = []
    teams = Team.objects.filter(registration__school=school).select_related("registration__cycle", "report")
    for team in teams:
        year = team.registration.cycle.school_year
        number = f" (Quyết định {team.decision_number})" if team.decision_number else ""
        url = reverse("result:issue", args=[team.pk]) if manage else ""
        established = team.decision_on or _day(team.created_at)
        events.append(
            Event(established, Area.TEAM, f"Thành lập đoàn đánh giá ngoài năm học {year}{number}", team.issuer, url, 4)
        )
        for name, label in STAGE_ORDER:
            value = getattr(team, name)
            if value:
                events.append(Event(value, Area.TEAM, f"Đoàn đánh giá ngoài: {label}", "", url, order=5))
        report = getattr(team, "report", None)
        if report is not None and report.finalised_at:
            events.append(Event(_day(report.finalised_at), Area.TEAM, "Báo cáo đánh giá ngoài chính thức", "", url, 6))
    return events


def _decision_events(school) -> list[Event]:
    events = []
    url = reverse("recognition:school", args=[school.pk])
    for d in Decision.objects.filter(school=school).order_by("decided_on", "id"):
        number = d.number or "(không ghi số)"
        events.append(
            Event(
                d.decided_on,
                Area.DECISION,
                f"{d.get_kind_display()} {d.label} — quyết định {number}",
                f"{d.issuer}; {d.get_recognition_round_display().lower()}; hiệu lực đến {d.valid_until:%d/%m/%Y}.",
                url,
                order=7,
            )
        )
        if d.revoked_on:
            events.append(
                Event(d.revoked_on, Area.DECISION, f"Thu hồi quyết định {number} ({d.label})", d.revoked_reason, url, 8)
            )
        else:
            events.append(
                Event(
                    d.reregister_by,
                    Area.DECISION,
                    f"Hạn đăng ký công nhận lại {d.label} (5 tháng trước khi hết hiệu lực)",
                    "",
                    url,
                    order=8,
                )
            )
            events.append(
                Event(d.valid_until, Area.DECISION, f"Hết hiệu lực {d.label} — quyết định {number}", "", url, 9)
            )
    return events


def _publication_events(school) -> list[Event]:
    events = []
    for p in Publication.objects.filter(school=school):
        events.append(
            Event(_day(p.published_at), Area.PUBLICATION, "Công khai kết quả đánh giá ngoài", p.summary, order=10)
        )
        if p.withdrawn_at:
            events.append(Event(_day(p.withdrawn_at), Area.PUBLICATION, "Gỡ nội dung công khai", "", order=11))
    return events


def school_history(school, *, manage: bool = False) -> list[Event]:
    """Every step of the school's cycles, registrations, teams, decisions and publications, oldest first; dates still
    ahead (a team's planned visit, a decision's expiry) are included (5 queries). manage: link the teams to their
    issuing page (officers above the school)."""
    events = [
        *_cycle_events(school),
        *_registration_events(school),
        *_team_events(school, manage),
        *_decision_events(school),
        *_publication_events(school),
    ]
    return sorted(events, key=lambda e: (e.on, e.order))
