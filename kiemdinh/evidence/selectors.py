"""Reads of the evidence register: the register by criterion, codes, citations in the criterion forms, health checks.

Every function runs a fixed number of queries whatever the number of items (pinned in the tests).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import F, Q
from django.utils import timezone

from kiemdinh.core.text import fold
from kiemdinh.evidence.models import CycleEvidence, EvidenceCitation, EvidenceFile, EvidenceVersion
from kiemdinh.frameworks.evidence_codes import find_codes
from kiemdinh.frameworks.models import Criterion, Indicator, Standard
from kiemdinh.selfassessment.models import CriterionForm, Cycle

# --- Register ------------------------------------------------------------------------------------------------


@dataclass
class RegisterRow:
    link: CycleEvidence
    cited_here: bool  # listed under this criterion as a citation (its code belongs to another criterion)
    also_for: list[Criterion]  # the other criteria the item is listed under
    files: list[EvidenceFile] = field(default_factory=list)  # the item's files (id and original name only)

    @property
    def evidence(self):
        """The item as this cycle cites it (its version)."""
        return self.link.version


@dataclass
class RegisterCriterion:
    criterion: Criterion
    rows: list[RegisterRow] = field(default_factory=list)


@dataclass
class RegisterStandard:
    standard: Standard
    criteria: list[RegisterCriterion] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return sum(len(c.rows) for c in self.criteria)


@dataclass
class Register:
    standards: list[RegisterStandard]
    total: int  # distinct items shown
    query: str
    criterion: Criterion | None

    @property
    def is_filtered(self) -> bool:
        return bool(self.query) or self.criterion is not None

    @property
    def row_count(self) -> int:
        return sum(group.row_count for group in self.standards)


ALL_STANDARDS = "tat-ca"
# Above this many rows the unfiltered register opens one standard (one evidence box) at a time, with a tab per
# standard and one for everything: 400 rows on one page take long to build and to scroll.
SPLIT_ABOVE_ROWS = 150


@dataclass
class RegisterView:
    register: Register
    shown: list[RegisterStandard]  # the standards whose rows are on the page
    tabs: list[RegisterStandard]  # every standard, when the register is split; else empty
    chosen: str  # the code of the standard shown, or ALL_STANDARDS


def register_view(register: Register, standard_code: str = "") -> RegisterView:
    """What the register page shows: every standard when filtered or small, else the chosen standard (by default the
    first) or every standard on request."""
    if register.is_filtered or register.row_count <= SPLIT_ABOVE_ROWS or not register.standards:
        return RegisterView(register, register.standards, [], ALL_STANDARDS)
    if standard_code == ALL_STANDARDS:
        return RegisterView(register, register.standards, register.standards, ALL_STANDARDS)
    chosen = next((g for g in register.standards if g.standard.code == standard_code), register.standards[0])
    return RegisterView(register, [chosen], register.standards, chosen.standard.code)


def framework_criteria(cycle: Cycle) -> list[Criterion]:
    """The cycle's criteria in framework order, with their standards (1 query)."""
    return list(
        Criterion.objects.filter(version_id=cycle.framework_id)
        .select_related("standard")
        .order_by("standard__position", "position")
    )


def _links(cycle: Cycle):
    return CycleEvidence.objects.filter(cycle=cycle).select_related("version", "criterion")


def files_by_version(cycle: Cycle) -> dict[int, list[EvidenceFile]]:
    """Version id → its files (id and original name only), for every item of the cycle (1 query). Read as plain
    rows and grouped here: prefetch_related's per-object querysets cost more than the query on thousands of items."""
    found: dict[int, list[EvidenceFile]] = defaultdict(list)
    in_cycle = EvidenceFile.objects.filter(version__cycle_links__cycle=cycle).order_by("id")
    for item in in_cycle.only("id", "version_id", "original_name"):
        found[item.version_id].append(item)
    return found


def citations_by_link(cycle: Cycle) -> dict[int, list[int]]:
    """Cycle evidence id → the ids of the criteria citing it (1 query)."""
    found: dict[int, list[int]] = defaultdict(list)
    rows = EvidenceCitation.objects.filter(cycle_evidence__cycle=cycle).order_by("id")
    for link_id, criterion_id in rows.values_list("cycle_evidence_id", "criterion_id"):
        found[link_id].append(criterion_id)
    return found


def cycle_evidence_list(cycle: Cycle, q: str = "", criterion: Criterion | None = None) -> Register:
    """The register grouped by standard and criterion in framework order. Each item is listed under its own criterion
    and under every criterion citing it. q: diacritics-free search in name, number/date, issuer, note and code;
    criterion: only what is listed under that criterion. 4 queries."""
    criteria = framework_criteria(cycle)
    by_pk = {c.pk: c for c in criteria}
    links = (
        CycleEvidence.objects.filter(cycle=cycle).select_related("version").defer("version__search_text").order_by("id")
    )
    query = " ".join((q or "").split())
    if query:
        folded = fold(query)
        links = links.filter(Q(version__search_text__contains=folded) | Q(code__icontains=query))
    if criterion is not None:
        links = links.filter(Q(criterion=criterion) | Q(citations__criterion=criterion)).distinct()
    links = list(links)
    files = files_by_version(cycle) if links else {}
    cited_by = {
        link_id: [by_pk[c] for c in criterion_ids if c in by_pk]
        for link_id, criterion_ids in (citations_by_link(cycle) if links else {}).items()
    }
    by_criterion: dict[int, list[RegisterRow]] = defaultdict(list)
    position = {c.pk: (c.standard.position, c.position) for c in criteria}
    for link in links:
        link.criterion = by_pk[link.criterion_id]
        own_files = files.get(link.version_id, [])
        cited = sorted(cited_by.get(link.pk, []), key=lambda c: position[c.pk])
        by_criterion[link.criterion_id].append(RegisterRow(link, False, cited, own_files))
        for other in cited:
            also = [link.criterion, *[c for c in cited if c.pk != other.pk]]
            by_criterion[other.pk].append(RegisterRow(link, True, also, own_files))
    standards: list[RegisterStandard] = []
    for crit in criteria:
        if criterion is not None and crit.pk != criterion.pk:
            continue
        rows = sorted(by_criterion.get(crit.pk, []), key=lambda r: (r.cited_here, r.link.sequence, r.link.code))
        if query and not rows:
            continue
        if not standards or standards[-1].standard.pk != crit.standard_id:
            standards.append(RegisterStandard(crit.standard))
        standards[-1].criteria.append(RegisterCriterion(crit, rows))
    return Register(standards=standards, total=len(links), query=query, criterion=criterion)


def cycle_codes(cycle: Cycle, codes: list[str] | None = None) -> dict[str, CycleEvidence]:
    """Code → link (with its evidence and criterion) of every item of the cycle, or only of `codes` (a form's
    citations, rather than a 400-item register). 1 query, none for an empty list of codes."""
    if codes is not None and not codes:
        return {}
    links = _links(cycle) if codes is None else _links(cycle).filter(code__in=codes)
    return {link.code: link for link in links}


def evidence_duplicates(*, school, sha256: str) -> list[EvidenceVersion]:
    """The latest version of each of the school's items whose latest version holds these bytes (to offer reusing the
    item instead of uploading again). 2 queries."""
    holding = set(
        EvidenceFile.objects.filter(version__evidence__school=school, sha256=sha256).values_list(
            "version__evidence_id", flat=True
        )
    )
    if not holding:
        return []
    latest = latest_versions(holding)
    return [v for v in latest.values() if sha256 in {f.sha256 for f in v.files.all()}]


def latest_versions(evidence_ids) -> dict[int, EvidenceVersion]:
    """Evidence id → its latest version, with its files (2 queries)."""
    found: dict[int, EvidenceVersion] = {}
    versions = (
        EvidenceVersion.objects.filter(evidence_id__in=list(evidence_ids))
        .order_by("evidence_id", "number")
        .prefetch_related("files")
    )
    for version in versions:
        found[version.evidence_id] = version
    return found


# --- Citations in the criterion forms ------------------------------------------------------------------------


@dataclass(frozen=True)
class FormRef:
    """Where a code is cited: a criterion form (kind "criterion") or a Mức 4 form (kind "level4")."""

    kind: str
    code: str  # criterion code or Mức 4 item code (for the form's URL)
    position: tuple[int, int]

    @property
    def label(self) -> str:
        return f"Tiêu chí {self.code}" if self.kind == "criterion" else f"Tiêu chí Mức 4 số {self.code}"

    @property
    def url_name(self) -> str:
        return "workflow:form" if self.kind == "criterion" else "workflow:level4_form"


@dataclass
class FormCitations:
    form: CriterionForm
    ref: FormRef
    codes: list[str]  # every code cited in the form, in order
    unknown: list[str]  # those that are not in the cycle


@dataclass
class UnknownCode:
    code: str
    where: list[FormRef]


@dataclass
class CitationReport:
    forms: list[FormCitations]
    unknown: list[UnknownCode]  # cited but not in the cycle
    uncited: list[CycleEvidence]  # in the cycle but cited in no form text
    cited_codes: set[str]


def _form_ref(form: CriterionForm) -> FormRef:
    if form.criterion_id:
        return FormRef("criterion", form.criterion.code, (0, form.criterion.position))
    return FormRef("level4", form.level4_item.code, (1, form.level4_item.position))


def _forms(cycle: Cycle) -> list[CriterionForm]:
    return list(CriterionForm.objects.filter(cycle=cycle).select_related("criterion", "level4_item"))


def _citation_report(cycle: Cycle, codes: dict[str, CycleEvidence], forms: list[CriterionForm]) -> CitationReport:
    by_form, unknown_where, cited = [], defaultdict(list), set()
    for form in sorted(forms, key=lambda f: _form_ref(f).position):
        ref = _form_ref(form)
        found = find_codes(form.all_text())
        unknown = [c for c in found if c not in codes]
        for code in unknown:
            unknown_where[code].append(ref)
        cited.update(found)
        by_form.append(FormCitations(form, ref, found, unknown))
    uncited = [link for code, link in codes.items() if code not in cited]
    uncited.sort(key=lambda link: (link.criterion.position, link.sequence, link.code))
    return CitationReport(
        forms=by_form,
        unknown=[UnknownCode(code, where) for code, where in sorted(unknown_where.items())],
        uncited=uncited,
        cited_codes=cited,
    )


def citation_report(cycle: Cycle) -> CitationReport:
    """Codes cited in every criterion form of the cycle: per form, the unknown ones (with where), and the items cited
    nowhere. 2 queries."""
    return _citation_report(cycle, cycle_codes(cycle), _forms(cycle))


# --- Health --------------------------------------------------------------------------------------------------


@dataclass
class DuplicateEntry:
    file: EvidenceFile
    link: CycleEvidence | None  # the item's link in this cycle, if it is in the cycle


@dataclass
class DuplicateGroup:
    sha256: str
    entries: list[DuplicateEntry]


@dataclass
class IndicatorGap:
    criterion: Criterion
    keys: list[str]  # indicator labels without a cited known code, e.g. "Mức 1 a)", "Mức 2"


@dataclass
class EvidenceHealth:
    expired: list[CycleEvidence]
    uncited: list[CycleEvidence]
    duplicates: list[DuplicateGroup]
    criteria_without: list[Criterion]
    indicators_without: list[IndicatorGap]
    unknown: list[UnknownCode]
    as_of: date
    total: int

    @property
    def indicator_gap_count(self) -> int:
        return sum(len(g.keys) for g in self.indicators_without)

    @property
    def problem_count(self) -> int:
        return (
            len(self.expired)
            + len(self.uncited)
            + len(self.duplicates)
            + len(self.criteria_without)
            + self.indicator_gap_count
            + len(self.unknown)
        )


def indicator_key(level: int, letter: str) -> str:
    """The key of an indicator in CriterionForm.descriptions: "1.a", or "2" for an unlettered level."""
    return f"{level}.{letter}" if letter else str(level)


def evidence_health(cycle: Cycle, today: date | None = None) -> EvidenceHealth:
    """What needs attention in the cycle's evidence: expired items, items cited nowhere, identical files in different
    items of the school, criteria and indicators without evidence, and citations of unknown codes. 7 queries."""
    today = today or timezone.localdate()
    criteria = framework_criteria(cycle)
    codes = cycle_codes(cycle)
    forms = _forms(cycle)
    report = _citation_report(cycle, codes, forms)

    links = sorted(codes.values(), key=lambda link: (link.criterion.position, link.sequence, link.code))
    expired = [link for link in links if link.version.valid_until and link.version.valid_until < today]

    covered = {link.criterion_id for link in links}
    covered.update(EvidenceCitation.objects.filter(cycle_evidence__cycle=cycle).values_list("criterion_id", flat=True))
    criteria_without = [c for c in criteria if c.pk not in covered]

    descriptions = {form.criterion_id: form.descriptions or {} for form in forms if form.criterion_id}
    gaps: dict[int, list[str]] = defaultdict(list)
    indicators = Indicator.objects.filter(criterion__version_id=cycle.framework_id).order_by(
        "criterion__position", "level", "position"
    )
    for indicator in indicators.only("criterion_id", "level", "letter"):
        text = str(
            descriptions.get(indicator.criterion_id, {}).get(indicator_key(indicator.level, indicator.letter), "")
        )
        if not any(code in codes for code in find_codes(text)):
            label = f"Mức {indicator.level}" + (f" {indicator.letter})" if indicator.letter else "")
            gaps[indicator.criterion_id].append(label)
    indicators_without = [IndicatorGap(c, gaps[c.pk]) for c in criteria if gaps.get(c.pk)]

    duplicates = _duplicate_files(cycle, links)
    return EvidenceHealth(
        expired=expired,
        uncited=report.uncited,
        duplicates=duplicates,
        criteria_without=criteria_without,
        indicators_without=indicators_without,
        unknown=report.unknown,
        as_of=today,
        total=len(links),
    )


def _duplicate_files(cycle: Cycle, links: list[CycleEvidence]) -> list[DuplicateGroup]:
    """Identical files in different items of the school: each item as this cycle cites it, or its latest version
    when the cycle does not link it (2 queries)."""
    cited = {link.evidence_id: link.version_id for link in links}
    rows = EvidenceFile.objects.filter(version__evidence__school_id=cycle.school_id).values_list(
        "pk", "sha256", "version_id", "version__evidence_id", "version__number"
    )
    newest: dict[int, tuple[int, int]] = {}  # evidence id → (number, version id)
    for _, _, version_id, evidence_id, number in rows:
        if evidence_id not in cited and number > newest.get(evidence_id, (0, 0))[0]:
            newest[evidence_id] = (number, version_id)
    shown = set(cited.values()) | {version_id for _, version_id in newest.values()}
    items_by_sha: dict[str, set[int]] = defaultdict(set)
    file_ids: dict[str, list[int]] = defaultdict(list)
    for pk, sha, version_id, evidence_id, _ in rows:
        if version_id in shown:
            items_by_sha[sha].add(evidence_id)
            file_ids[sha].append(pk)
    wanted = [pk for sha, items in items_by_sha.items() if len(items) > 1 for pk in file_ids[sha]]
    if not wanted:
        return []
    groups: dict[str, list[EvidenceFile]] = defaultdict(list)
    for row in (
        EvidenceFile.objects.filter(pk__in=wanted)
        .select_related("version")
        .order_by("sha256", "version__evidence_id", "id")
    ):
        groups[row.sha256].append(row)
    link_of = {link.version_id: link for link in links}
    return [
        DuplicateGroup(sha, [DuplicateEntry(row, link_of.get(row.version_id)) for row in group])
        for sha, group in groups.items()
    ]


def evidence_summary(cycle: Cycle) -> dict:
    """Counts for the cycle overview: {"total", "cited", "uncited", "criteria_without": [criterion codes]}.
    4 queries."""
    links = list(CycleEvidence.objects.filter(cycle=cycle).values_list("code", "criterion_id"))
    cited_ids = set(EvidenceCitation.objects.filter(cycle_evidence__cycle=cycle).values_list("criterion_id", flat=True))
    cited_codes: set[str] = set()
    for form in CriterionForm.objects.filter(cycle=cycle).only(
        "descriptions", *CriterionForm.TEXT_FIELDS, "cycle_id", "criterion_id", "level4_item_id"
    ):
        cited_codes.update(find_codes(form.all_text()))
    covered = cited_ids | {criterion_id for _, criterion_id in links}
    criteria_without = [
        code
        for pk, code in Criterion.objects.filter(version_id=cycle.framework_id)
        .order_by("standard__position", "position")
        .values_list("pk", "code")
        if pk not in covered
    ]
    cited = sum(1 for code, _ in links if code in cited_codes)
    return {"total": len(links), "cited": cited, "uncited": len(links) - cited, "criteria_without": criteria_without}


# --- Items referred to outside the register ------------------------------------------------------------------


def versions_as_of(pairs) -> dict[tuple[int, int], EvidenceVersion]:
    """(cycle id, evidence id) → the version to show where a record of that cycle (an improvement plan's review, an
    external evaluation registration) refers to an item: the version the cycle cites, else the item's first version
    (an item recorded outside the register, e.g. a file of a monitoring review, is never edited in place by a
    cycle). 1 query, none for no pairs."""
    pairs = {(c, e) for c, e in pairs if e}
    if not pairs:
        return {}
    cycles = {c for c, _ in pairs}
    rows = (
        EvidenceVersion.objects.filter(evidence_id__in={e for _, e in pairs})
        .filter(Q(cycle_links__cycle_id__in=cycles) | Q(number=1))
        .annotate(cited_in=F("cycle_links__cycle_id"))
    )
    cited, first = {}, {}
    for version in rows:
        if version.cited_in in cycles:
            cited[(version.cited_in, version.evidence_id)] = version
        if version.number == 1:
            first[version.evidence_id] = version
    return {(c, e): cited.get((c, e)) or first[e] for c, e in pairs if (c, e) in cited or e in first}
