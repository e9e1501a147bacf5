"""What the plan reads share: a date as Vietnamese documents write it, a decision quoted, months added to a date."""

from datetime import date

from kiemdinh.recognition.models import Decision, months_before


def fmt_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def decision_text(decision: Decision) -> str:
    number = f" số {decision.number}" if decision.number else ""
    return f"{decision.label} (quyết định{number} ngày {fmt_date(decision.decided_on)})"


def plus_months(day: date, months: int) -> date:
    return months_before(day, -months)
