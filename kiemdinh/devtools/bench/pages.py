"""Page and document timings in the bench process: every key page rendered from the data, through the Django test
client and the whole middleware stack, against a floor view requested by the same signed-in client; query counts at
two data sizes (10x apart where the data has a natural pair); the report DOCX and the evidence catalogue XLSX against
bare python-docx and openpyxl."""

import io
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from openpyxl import Workbook

from kiemdinh.accounts.models import User
from kiemdinh.devtools.bench.scale import EVIDENCE_LARGE, EVIDENCE_SMALL
from kiemdinh.devtools.bench.world import BenchWorld, plan_sizes
from kiemdinh.devtools.management.commands.bench_report import _median_seconds, bare_script_for
from kiemdinh.documents.appendices.criteria import build_evidence_catalogue
from kiemdinh.documents.appendices.xlsx import evidence_catalogue_xlsx
from kiemdinh.documents.report.context import build_report
from kiemdinh.documents.report.docx import report_docx
from kiemdinh.selfassessment.models import Cycle

# The targets of issue 19, section 2.
PAGE_RATIO_LIMIT = 30  # every key page: median ≤ 30× the floor
PROVINCE_DASHBOARD_MS = 60  # absolute median
ROLLUP_MS = 300  # the national roll-up (the admin's home page, every province)


class QueryCounter:
    """Counts the queries run through a connection (an execute wrapper: independent of DEBUG and of the query log,
    which the request_started signal resets in the middle of a request)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


@dataclass
class Row:
    """One measurement of the main table. `key` names the rows the targets are read from."""

    name: str
    ms: float
    floor_ms: float | None = None
    queries: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""
    key: str = ""
    page: bool = False  # a key page: ≤ 30× the floor
    constant_queries: bool | None = None  # a 10x pair: the same query count at both sizes

    @property
    def ratio(self) -> float | None:
        return self.ms / self.floor_ms if self.floor_ms else None


def median_ms(fn, runs: int) -> float:

    return _median_seconds(fn, runs) * 1000


class PageTimer:
    """Times pages through the Django test client (the whole middleware stack), each against the floor view with the
    same client, so the ratio says what the page costs above a request that does one indexed query. Nothing is kept
    between requests: every request renders the page from the data."""

    def __init__(self, world: BenchWorld, runs: int):

        self.world = world
        self.runs = runs
        self.clients = {None: Client()}
        for key, username in world.users.items():
            client = Client()
            client.force_login(User.objects.get(username=username))
            self.clients[key] = client

    def get(self, who, url):
        response = self.clients[who].get(url, secure=True)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} as {who or 'anonymous'}: status {response.status_code}")
        return response

    def time(self, who, url) -> tuple[float, float, int]:
        """The median time of the page, the median time of the floor requested by the same client just before it
        (so both come from the same minute of a shared machine; in a block of its own, not alternately, where it
        would pay for the collection of the page's garbage), and the queries one request of the page runs."""
        floor_url = reverse("bench_floor") + f"?id={self.world.school_id}"
        for warm in (floor_url, url):  # templates, the connection, the CSRF cookie
            self.get(who, warm)
        counted = QueryCounter()
        with connection.execute_wrapper(counted):
            self.get(who, url)
        floor = median_ms(lambda: self.get(who, floor_url), self.runs)
        return median_ms(lambda: self.get(who, url), self.runs), floor, counted.count

    def page(self, name, who, url, *, key="", limit_ms=None, ratio=True) -> Row:
        """One key page against the floor (≤ 30×), and against an absolute limit where it has one."""
        ms, floor, count = self.time(who, url)
        targets, met = [], True
        if ratio:
            targets.append(f"≤ {PAGE_RATIO_LIMIT}× floor")
            met = ms <= PAGE_RATIO_LIMIT * floor
        if limit_ms is not None:
            targets.append(f"< {limit_ms:g} ms")
            met = met and ms < limit_ms
        return Row(name, ms, floor, str(count), ", ".join(targets), met, key=key, page=ratio)

    def pair(self, name, small, large, sizes: tuple[str, str], *, key="", limit_ms=None) -> Row:
        """One page at two data sizes, each (who, url): timed against the floor at the large size (where the
        absolute limit applies too); the query counts of both must be equal."""
        row = self.page(name, *large, key=key, limit_ms=limit_ms)
        small_ms, _, small_count = self.time(*small)
        row.constant_queries = str(small_count) == row.queries
        row.queries = f"{small_count} ({sizes[0]}) / {row.queries} ({sizes[1]})"
        row.target += ", constant queries"
        row.met = bool(row.met and row.constant_queries)
        row.note = f"{sizes[0]}: {small_ms:,.1f} ms"
        return row


def measure_pages(world: BenchWorld, runs: int) -> list[Row]:

    def first_criterion(cycle_id):
        criteria = Cycle.objects.get(pk=cycle_id).framework.criteria.order_by("position")
        return criteria.values_list("code", flat=True)[0]

    small_items, large_items = f"{EVIDENCE_SMALL} items", f"{EVIDENCE_LARGE} items"
    small_plan, large_plan = (f"{n} schools" for n in plan_sizes(world.scale))
    with override_settings(
        ROOT_URLCONF="kiemdinh.devtools.bench_urls", ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]
    ):
        timer = PageTimer(world, runs)
        small = ("principal_small", world.cycle_40)
        large = ("principal", world.cycle_400)

        def both(view, query=""):
            return tuple((who, reverse(view, args=[cycle]) + query) for who, cycle in (small, large))

        def form(who, cycle):
            return who, reverse("workflow:form", args=[cycle, first_criterion(cycle)])

        def plan(view):
            return tuple(("province_officer", reverse(view, args=[pk])) for pk in (world.plan_small_id, world.plan_id))

        def unit(view, officer, args):
            return tuple((officer, reverse(view, args=[a])) for a in args)

        return [
            timer.pair(
                "school home (principal)",
                ("principal_small", reverse("workspace:home")),
                ("principal", reverse("workspace:home")),
                (small_items, large_items),
                key="home",
            ),
            timer.pair("criterion form page", form(*small), form(*large), (small_items, large_items), key="form"),
            timer.pair(
                f"evidence list of a cycle, as it opens ({EVIDENCE_LARGE} items: one standard)",
                *both("evidence:list"),
                (small_items, large_items),
                key="evidence",
            ),
            timer.pair(
                f"evidence list, all {EVIDENCE_LARGE} items on one page",
                *both("evidence:list", "?tcu=tat-ca"),
                (small_items, large_items),
                key="evidence_all",
            ),
            timer.pair(
                "unit dashboard (commune / province)",
                *unit("planning:dashboard", "province_officer", [world.commune_id, world.province_id]),
                ("commune", "province"),
                key="dashboard",
                limit_ms=PROVINCE_DASHBOARD_MS,
            ),
            timer.pair("annual plan page", *plan("planning:plan_detail"), (small_plan, large_plan), key="plan"),
            timer.pair(
                "annual plan school list", *plan("planning:targets"), (small_plan, large_plan), key="plan_targets"
            ),
            timer.pair(
                "public unit page (commune / province)",
                *unit("public:unit", None, [world.commune_code, world.province_code]),
                ("commune", "province"),
                key="public",
            ),
            timer.page(
                "national roll-up (admin home, every province)",
                "admin",
                reverse("workspace:home"),
                key="rollup",
                limit_ms=ROLLUP_MS,
                ratio=False,
            ),
        ]


def measure_documents(world: BenchWorld, runs: int) -> list[Row]:

    rows = []
    cycle = Cycle.objects.select_related("framework", "school").get(pk=world.cycle_400)
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        first = time.perf_counter()
        data = report_docx(build_report(cycle))
        first = (time.perf_counter() - first) * 1000
    total = first if runs == 1 else median_ms(lambda: report_docx(build_report(cycle)), runs)
    bare, n_paragraphs, n_tables = bare_script_for(data)
    rows.append(
        Row(
            f"report DOCX (TT18, {EVIDENCE_LARGE} evidence items) vs bare python-docx",
            total,
            median_ms(bare, runs),
            str(len(queries)),
            "< 1000 ms (issue #8)",
            total < 1000,
            f"{len(data) // 1024} KB, {n_paragraphs} paragraphs, {n_tables} tables",
            key="report",
        )
    )
    cycle = Cycle.objects.select_related("framework", "school").get(pk=world.cycle_catalogue)
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        first = time.perf_counter()
        context = build_evidence_catalogue(cycle)
        data = evidence_catalogue_xlsx(context)
        first = (time.perf_counter() - first) * 1000
    total = first if runs == 1 else median_ms(lambda: evidence_catalogue_xlsx(build_evidence_catalogue(cycle)), runs)
    rows.append(
        Row(
            f"evidence catalogue XLSX ({world.scale.catalogue_items:,} items) vs bare openpyxl",
            total,
            median_ms(_bare_xlsx(context), runs),
            str(len(queries)),
            note=f"{len(data) // 1024} KB, {len(context.rows)} rows",
            key="catalogue",
        )
    )
    return rows


def _bare_xlsx(context):
    """The floor for the catalogue: the same cells written with plain openpyxl calls (no styles, no merges)."""

    values = [[str(v) if v else "" for v in row.cells] for row in context.rows]

    def write() -> bytes:
        book = Workbook()
        sheet = book.active
        sheet.append(list(context.columns))
        for row in values:
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()

    return write
