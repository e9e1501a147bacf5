"""`./scripts/manage clear_page_cache`: drop every kept page (kiemdinh.core.page_cache). Needed only after data was
changed outside this application (psql, a restore by hand); kept pages otherwise expire by themselves."""

from django.core.management.base import BaseCommand

from kiemdinh.core import page_cache


class Command(BaseCommand):
    help = "Drops every kept page of the page cache (data changed outside the application)."

    def handle(self, *args, **options):
        page_cache.clear()
        if options["verbosity"]:
            self.stdout.write("Đã xoá mọi trang lưu sẵn.")
