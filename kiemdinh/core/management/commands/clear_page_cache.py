"""`./scripts/manage clear_page_cache`: drop every kept page and memoized result (kiemdinh.core.page_cache) and the
sessions read from files (the database stays their record). Needed only after data was changed outside this
application (psql, a restore by hand, sessions deleted to sign people out); kept pages otherwise expire by themselves."""

from django.conf import settings
from django.core.cache import caches
from django.core.management.base import BaseCommand

from kiemdinh.core import page_cache


class Command(BaseCommand):
    help = (
        "Drops every kept page of the page cache and the sessions read from files (data changed outside the "
        "application)."
    )

    def handle(self, *args, **options):
        page_cache.clear()
        if settings.SESSION_ENGINE.endswith("cached_db"):
            caches[settings.SESSION_CACHE_ALIAS].clear()
        if options["verbosity"]:
            self.stdout.write("Đã xoá mọi trang lưu sẵn và các phiên đăng nhập lưu trong tệp.")
