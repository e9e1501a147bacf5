import unicodedata

from django.core.management.base import BaseCommand, CommandError

from kiemdinh.devtools.demo.build import build_demo, missing_frameworks
from kiemdinh.devtools.demo.people import DEMO_PASSWORD, demo_logins


def _width(text: str) -> int:
    return sum(1 for ch in text if not unicodedata.combining(ch))


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    widths = [max(_width(cell) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells):
        return "  ".join(_pad(cell, w) for cell, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


class Command(BaseCommand):
    help = (
        "Create the demo world reproduced from the seed plans (units, schools, the Hương Trà, Cao Lộc, Tân Thành "
        "and Hóc Môn plans, the Thanh Chấn 2021-2022 self-assessment, demo users). Idempotent: only what is "
        "missing is created and existing objects are left unchanged. Needs the frameworks (run load_frameworks "
        f"first). Every demo user's password is {DEMO_PASSWORD!r}."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--print-logins",
            action="store_true",
            help="print a table of the demo logins (username, password, role, scope) after seeding",
        )

    def handle(self, *args, **options):
        if missing_frameworks():
            raise CommandError("Chưa nạp bộ tiêu chuẩn; chạy ./scripts/manage load_frameworks trước.")
        build = build_demo()
        if build.created:
            summary = ", ".join(f"{n} {what}" for what, n in build.created.items())
            self.stdout.write(f"Đã tạo dữ liệu minh họa: {summary}.")
        else:
            self.stdout.write("Dữ liệu minh họa đã có đủ; không tạo thêm gì.")
        if options["print_logins"]:
            logins = demo_logins()
            self.stdout.write("")
            self.stdout.write(f"Tài khoản minh họa (mật khẩu chung: {DEMO_PASSWORD}):")
            self.stdout.write(
                format_table(
                    ("Tên đăng nhập", "Mật khẩu", "Họ và tên", "Vai trò", "Phạm vi"),
                    [(r.username, r.password, r.full_name, r.role, r.scope) for r in logins],
                )
            )
