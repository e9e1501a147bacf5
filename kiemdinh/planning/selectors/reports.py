"""A plan's periodic reports: the period a report covers, its starting text from the data, when the next is due."""

from datetime import date, timedelta

from kiemdinh.planning.models import AnnualPlan, TaskStatus, TaskUpdate
from kiemdinh.planning.selectors.common import plus_months
from kiemdinh.planning.selectors.goals import goals_progress
from kiemdinh.planning.selectors.stages import Stage, plan_targets_with_positions
from kiemdinh.planning.selectors.text import plan_short_name


def report_period(plan: AnnualPlan, today: date) -> tuple[date, date] | None:
    """The reporting period (every `report_every_months` from the plan's start) a report written today covers: the
    latest one that has ended, or ends within a fortnight; the first one before that. None when the plan reports
    only when asked."""
    months = plan.report_every_months
    if not months or not plan.starts_on:
        return None
    start = plan.starts_on
    chosen = (start, plus_months(start, months) - timedelta(days=1))
    while True:
        end = plus_months(start, months) - timedelta(days=1)
        if end > today + timedelta(days=15) or (plan.ends_on and start > plan.ends_on):
            return chosen
        chosen = (start, end)
        start = end + timedelta(days=1)


def period_label(start: date, end: date) -> str:
    """ "quý I năm 2024" for a calendar quarter, else "từ 01/2024 đến 06/2024"."""
    if start.day == 1 and start.month % 3 == 1 and end == plus_months(start, 3) - timedelta(days=1):
        return f"quý {('I', 'II', 'III', 'IV')[start.month // 3]} năm {start.year}"
    return f"từ tháng {start.month:02d}/{start.year} đến tháng {end.month:02d}/{end.year}"


def report_draft(plan: AnnualPlan, today: date) -> dict:
    """A periodic report's starting text, from the data as it is today: the list's schools by stage, each target's
    progress, each task's status and latest update, the difficulties reported. The officer edits it before saving."""
    targets = plan_targets_with_positions(plan, today)
    progress = goals_progress(plan)
    tasks = list(plan.tasks.select_related("school").order_by("position", "id"))
    latest_updates: dict[int, TaskUpdate] = {}
    for update in TaskUpdate.objects.filter(task__plan=plan).order_by("at", "id"):
        latest_updates[update.task_id] = update
    lines = ["I. KẾT QUẢ THỰC HIỆN"]
    if targets:
        lines.append(f"1. Các cơ sở giáo dục trong danh sách kèm theo kế hoạch: {len(targets)} đơn vị.")
        counts = dict.fromkeys(Stage, 0)
        for _, position in targets:
            counts[position.stage] += 1
        lines.extend(f"- {stage.label}: {n:02d} đơn vị." for stage, n in counts.items() if n)
    if progress:
        lines.append(f"{2 if targets else 1}. Thực hiện các chỉ tiêu:")
        for item in progress:
            verdict = "đạt chỉ tiêu" if item.met else "chưa đạt chỉ tiêu"
            lines.append(f"- {item.goal.text.rstrip('.')}: {item.value_label}, {verdict}.")
    if tasks:
        lines.append(f"{1 + bool(targets) + bool(progress)}. Thực hiện nhiệm vụ của các cơ quan, đơn vị:")
        for task in tasks:
            status = task.get_status_display().lower()
            due = f" (hạn {task.deadline_label})" if task.deadline_label else ""
            late = "; quá hạn" if task.is_overdue(today) else ""
            update = latest_updates.get(task.pk)
            note = f" {update.note}" if update else ""
            lines.append(f"- {task.agency}{due}: {status}{late}.{note}")
    blocked = [t for t in tasks if t.status == TaskStatus.BLOCKED]
    lines.append("II. KHÓ KHĂN, VƯỚNG MẮC")
    if blocked:
        lines.extend(
            f"- {t.agency}: {latest_updates[t.pk].note if t.pk in latest_updates else t.get_status_display()}"
            for t in blocked
        )
    else:
        lines.append("- Không có khó khăn, vướng mắc được báo cáo trong kỳ.")
    lines.append("III. NHIỆM VỤ TRỌNG TÂM KỲ TỚI")
    pending = [t for t in tasks if t.status != TaskStatus.DONE]
    if pending:
        lines.extend(
            f"- {t.agency}: {t.content.splitlines()[0]}" + (f" (hạn {t.deadline_label})" if t.deadline_label else "")
            for t in pending
        )
    else:
        lines.append("- Các nhiệm vụ của kế hoạch đã hoàn thành.")
    bounds = report_period(plan, today)
    label = period_label(*bounds) if bounds else ""
    title = f"Kết quả thực hiện {plan_short_name(plan)}" + (f", {label}" if label else "")
    return {"title": title, "period_label": label, "body": "\n".join(lines)}


def next_report_due(plan: AnnualPlan, last_periodic: date | None) -> date | None:
    """When the next periodic report is due: the end of the first reporting period not yet reported."""
    months = plan.report_every_months
    if not months or not plan.starts_on:
        return None
    due = plus_months(plan.starts_on, months) - timedelta(days=1)
    while last_periodic and due <= last_periodic and (not plan.ends_on or due < plan.ends_on):
        due = plus_months(due + timedelta(days=1), months) - timedelta(days=1)
    return due
