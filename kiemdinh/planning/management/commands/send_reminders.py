from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kiemdinh.accounts.models import User
from kiemdinh.planning.models import ReminderDigest
from kiemdinh.planning.selectors.reminders import Reminder, reminders_for

SUBJECT = "[Kiểm định] Nhắc việc ngày {day}: {count} việc quá hạn hoặc sắp đến hạn"


def digest_text(user, reminders: list[Reminder], day: date, site_url: str) -> str:
    """The plain-text e-mail: the overdue and soon reminders, each with its date, school or unit, and link."""
    lines = [
        f"Kính gửi {user.display_name},",
        "",
        f"Hệ thống Kiểm định nhắc các việc quá hạn hoặc sắp đến hạn (tính đến ngày {day:%d/%m/%Y}):",
        "",
    ]
    for n, r in enumerate(reminders, start=1):
        when = f" — hạn {r.due_on:%d/%m/%Y}" if r.due_on else ""
        lines.append(f"{n}. [{r.severity_label}] {r.kind_label}: {r.title}{when}")
        lines.append(f"   {r.where}")
        if r.url:
            lines.append(f"   {site_url}{r.url}")
    lines += [
        "",
        "Thư này được gửi tự động mỗi ngày có việc cần nhắc; mọi việc cần làm xem trên trang chủ của hệ thống.",
    ]
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "Send each active user with an e-mail address one plain-text e-mail listing their overdue and soon reminders "
        "(nhắc việc). At most one e-mail per user per day: running it again the same day sends nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list who would receive an e-mail; send nothing")
        parser.add_argument("--date", help="the day to compute reminders for, YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--site-url",
            default=getattr(settings, "KIEMDINH_SITE_URL", ""),
            help="the address put before the links, e.g. https://kiemdinh.example.vn (default: links are paths)",
        )

    def handle(self, *args, **options):
        day = timezone.localdate()
        if options["date"]:
            try:
                day = date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"Ngày không hợp lệ: {options['date']} (ghi dạng YYYY-MM-DD).") from exc
        site_url = (options["site_url"] or "").rstrip("/")
        dry_run = options["dry_run"]
        already = set(ReminderDigest.objects.filter(sent_on=day).values_list("user_id", flat=True))
        sent = 0
        for user in User.objects.filter(is_active=True).exclude(email="").order_by("pk"):
            if user.pk in already:
                continue
            due = [r for r in reminders_for(user, day) if r.needs_action]
            if not due:
                continue
            if dry_run:
                self.stdout.write(f"{user.email}: {len(due)} việc")
                sent += 1
                continue
            try:
                with transaction.atomic():
                    # Recorded first, so two runs at once cannot both send; the record goes if sending fails.
                    ReminderDigest.objects.create(user=user, sent_on=day, reminder_count=len(due))
                    send_mail(
                        SUBJECT.format(day=f"{day:%d/%m/%Y}", count=len(due)),
                        digest_text(user, due, day, site_url),
                        None,
                        [user.email],
                    )
            except IntegrityError:
                continue
            sent += 1
        if dry_run:
            self.stdout.write(f"Chạy thử: {sent} người sẽ nhận thư nhắc việc ngày {day:%d/%m/%Y}; chưa gửi thư nào.")
        else:
            self.stdout.write(f"Đã gửi {sent} thư nhắc việc ngày {day:%d/%m/%Y}.")
