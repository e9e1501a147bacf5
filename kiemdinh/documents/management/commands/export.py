import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kiemdinh.core.office.pdf import PdfUnavailable
from kiemdinh.documents import kinds, rendering
from kiemdinh.documents.decision import DecisionLookupError, decisions_of_school_year
from kiemdinh.documents.evaluation_report import TeamLookupError, build_evaluation_report, team_of_cycle
from kiemdinh.planning.models import AnnualPlan
from kiemdinh.recognition.models import DecisionKind
from kiemdinh.selfassessment.selectors import CycleLookupError, cycle_by_school_and_year
from kiemdinh.units.selectors import UnitLookupError, unit_by_code_or_name
from kiemdinh.workflow.selectors import DossierChanged


class Command(BaseCommand):
    help = (
        "Write one document of a school's self-assessment cycle to a file. KIND: report, plan, scope-worksheet, "
        "evidence-catalogue, criterion-forms, council-decision, dossier. What the data still lacks is listed on "
        "standard error (the document marks it in red). Bad input exits with status 2. "
        "KIND annual-plan writes an authority's plan instead: --unit (code or name) and --year (the plan's period, "
        "e.g. 2024 or 2019-2020), --plan ID where the unit has several plans that year. "
        "KIND decision writes the recognition decisions issued from the school's external evaluation of that school "
        "year (--school, --year: the evaluated cycle's school year): both the accreditation and the national-standard "
        "decision one after the other, or one of them with --kind accreditation|national_standard. "
        "KIND evaluation-report writes the external evaluation report of the team of the cycle's latest accepted "
        "registration (--school, --year: the evaluated cycle's school year)."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", metavar="KIND")
        parser.add_argument("--school", help="school code or name (diacritics optional)")
        parser.add_argument("--unit", help="annual-plan: the issuing unit's code or name (diacritics optional)")
        parser.add_argument("--plan", type=int, dest="plan_id", help="annual-plan: the plan's ID, among several")
        parser.add_argument("--year", required=True, help="school year, e.g. 2021-2022; a plan's period, e.g. 2024")
        parser.add_argument("--format", required=True, choices=["docx", "xlsx", "pdf", "zip"], dest="fmt")
        parser.add_argument("--out", required=True, help="file to write")
        parser.add_argument(
            "--kind",
            dest="decision_kind",
            choices=DecisionKind.values,
            help="decision: only this decision (default: every decision of the evaluation, in one document)",
        )

    def handle(self, *args, kind, school, year, fmt, out, unit=None, plan_id=None, **options):
        plan_document = kinds.plan_kind(kind)
        if plan_document is not None:
            return self._plan(plan_document, unit=unit, year=year, plan_id=plan_id, fmt=fmt, out=out)
        if kind == "evaluation-report":
            return _evaluation_report(self, school=school, year=year, fmt=fmt, out=out)
        standalone = kinds.standalone_kind(kind)
        if standalone is not None:
            return self._decision(
                standalone, school=school, year=year, kind=options.get("decision_kind"), fmt=fmt, out=out
            )
        try:
            document = kinds.get(kind)
        except KeyError as exc:
            raise CommandError(exc.args[0], returncode=2) from exc
        _check_input(document, fmt, school, "--school (mã hoặc tên trường)")
        try:
            cycle = cycle_by_school_and_year(school, year)
        except CycleLookupError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        found, school_year = cycle.school, cycle.school_year
        try:
            context = rendering.build(document, cycle)
        except DossierChanged as exc:
            raise CommandError(" ".join(exc.messages), returncode=2) from exc
        if fmt in document.writers:  # the dossier: written into the file piece by piece, never held in memory
            written = _stream_to(out, lambda target: rendering.write(document, context, fmt, target), context.missing)
        else:
            written = _render_and_write(
                lambda: rendering.render_context(document, cycle, context, fmt), context.missing, out
            )
        self.stdout.write(f"{written} — {document.title}, {found.name}, năm học {school_year}")

    def _plan(self, document, *, unit, year, plan_id, fmt, out):
        _check_input(document, fmt, unit, "--unit (mã hoặc tên đơn vị ban hành)")
        try:
            found = unit_by_code_or_name(unit)
        except UnitLookupError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        plan = plan_of_unit(found, year, plan_id)
        context = document.build(plan)
        written = _render_and_write(
            lambda: rendering.render_named(document, context, fmt), context.missing, out, lacking="chưa có"
        )
        number = plan.number or "chưa có số"
        self.stdout.write(f"{written} — {document.title} {number}, {plan.issuer}, {plan.period}")

    def _decision(self, document, *, school, year, kind, fmt, out):
        _check_input(document, fmt, school, "--school (mã hoặc tên trường)")
        try:
            decisions = decisions_of_school_year(school, year, kind)
        except DecisionLookupError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        context = document.build(decisions)
        written = _render_and_write(lambda: rendering.render_named(document, context, fmt), context.missing, out)
        labels = ", ".join(f"{d.label} số {d.number or 'chưa có số'}" for d in decisions)
        self.stdout.write(f"{written} — {document.title} {labels}, {decisions[0].school.name}")


def plan_of_unit(unit, year: str, plan_id: int | None = None) -> AnnualPlan:
    """The unit's plan whose period is `year` ("2024", "2019-2020"), else whose period contains it ("2019-2020" for
    2019, "2021-2025" for 2023); --plan ID chooses among several. Raises CommandError (status 2) with a Vietnamese message."""
    year = year.strip().replace(" ", "").replace("–", "-")
    plans = AnnualPlan.objects.filter(unit=unit).select_related("unit").order_by("-period", "number", "id")
    every = list(plans)
    found = [p for p in every if p.period == year] or [p for p in every if _within(year, p.period)]
    if not found:
        raise CommandError(f"{unit.name} không có kế hoạch nào của năm {year}.", returncode=2)
    if plan_id is not None:
        chosen = [plan for plan in found if plan.pk == plan_id]
        if not chosen:
            raise CommandError(f"Kế hoạch ID {plan_id} không phải kế hoạch năm {year} của {unit.name}.", returncode=2)
        return chosen[0]
    if len(found) > 1:
        listed = "; ".join(f"ID {p.pk}: {p.number or 'chưa có số'} — {p.title} ({p.period})" for p in found)
        raise CommandError(
            f"{unit.name} có {len(found)} kế hoạch năm {year}: {listed}. Hãy chọn một bằng --plan ID.", returncode=2
        )
    return found[0]


def _within(year: str, period: str) -> bool:
    if year in period:
        return True
    first, _, last = period.partition("-")
    return year.isdigit() and first.isdigit() and last.isdigit() and int(first) <= int(year) <= int(last)


def _check_input(document, fmt: str, value, option: str) -> None:
    """Refuses (status 2) a missing --school / --unit and a format the document does not have."""
    if not value:
        raise CommandError(f"{document.title}: hãy ghi {option}.", returncode=2)
    if fmt not in document.formats:
        raise CommandError(
            f"{document.title} không có định dạng {fmt}; có: {', '.join(document.formats)}.", returncode=2
        )


def _render_and_write(render, missing, out: str, lacking: str = "thiếu dữ liệu") -> str:
    """Renders (no LibreOffice for a PDF: status 2), writes the file, lists on standard error what the data still
    lacks; returns "PATH (N byte)" for the summary line."""
    try:
        rendered = render()
    except PdfUnavailable as exc:
        raise CommandError(str(exc), returncode=2) from exc
    path = _write(out, rendered.data)
    for label in missing:
        sys.stderr.write(f"{lacking}: {label}\n")
    return f"{path} ({len(rendered.data):,} byte)"


def _stream_to(out: str, write, missing, lacking: str = "thiếu dữ liệu") -> str:
    """Writes the file through `write(binary file)`; as _render_and_write otherwise."""
    path = Path(out)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as target:
            write(target)
    except OSError as exc:
        raise CommandError(f"Không ghi được {out}: {exc.strerror}", returncode=2) from exc
    for label in missing:
        sys.stderr.write(f"{lacking}: {label}\n")
    return f"{path} ({path.stat().st_size:,} byte)"


def _write(out: str, data: bytes) -> Path:
    path = Path(out)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        raise CommandError(f"Không ghi được {out}: {exc.strerror}", returncode=2) from exc
    return path


def _evaluation_report(command, *, school, year, fmt, out) -> None:
    """The external evaluation report of the school's cycle of that year (docx or pdf)."""
    document = kinds.EVALUATION_REPORT
    _check_input(document, fmt, school, "--school (mã hoặc tên trường)")
    try:
        cycle = cycle_by_school_and_year(school, year)
        team = team_of_cycle(cycle)
    except (CycleLookupError, TeamLookupError) as exc:
        raise CommandError(str(exc), returncode=2) from exc
    context = build_evaluation_report(team)
    written = _render_and_write(lambda: rendering.render_named(document, context, fmt), context.missing, out)
    command.stdout.write(f"{written} — {document.title}, {cycle.school.name}, năm học {cycle.school_year}")
