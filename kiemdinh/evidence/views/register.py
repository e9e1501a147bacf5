"""The register's screens: the list and search (one standard at a time when it is large), adding an item (offering
the school's items that already hold the same files), reusing such an item, carrying over an earlier cycle's items,
and the register's health check."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kiemdinh.evidence import selectors, services
from kiemdinh.evidence.files import check_upload, max_size_text
from kiemdinh.evidence.forms import CarryOverForm, EvidenceCreateForm, ReuseForm
from kiemdinh.evidence.models import CycleEvidence, Evidence
from kiemdinh.evidence.views.common import _context, _error_text, _is_htmx
from kiemdinh.frameworks.models import Criterion
from kiemdinh.selfassessment.access import access_cycle, cycles_visible
from kiemdinh.selfassessment.models import Cycle


def _list_url(cycle: Cycle, link: CycleEvidence | None = None) -> str:
    """The register, or the item's row in it (on its standard's tab when the register is split)."""
    url = reverse("evidence:list", args=[cycle.pk])
    return f"{url}?tcu={link.criterion.standard.code}#mc-{link.pk}" if link else url


def _carry_over_sources(request: HttpRequest, cycle: Cycle):
    return cycles_visible(request.user).filter(school_id=cycle.school_id).exclude(pk=cycle.pk).order_by("-school_year")


# --- Register ------------------------------------------------------------------------------------------------


@login_required
@require_GET
def evidence_list(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id)
    criterion = None
    criterion_code = request.GET.get("tc", "").strip()
    if criterion_code:
        criterion = Criterion.objects.filter(version_id=cycle.framework_id, code=criterion_code).first()
    register = selectors.cycle_evidence_list(cycle, q=request.GET.get("q", ""), criterion=criterion)
    context = _context(
        request,
        cycle,
        register=register,
        view=selectors.register_view(register, request.GET.get("tcu", "")),
        criterion_code=criterion_code if criterion else "",
        list_url=reverse("evidence:list", args=[cycle.pk]),
    )
    if _is_htmx(request):
        response = render(request, "evidence/list.html#results", context)
    else:
        context["criteria"] = selectors.framework_criteria(cycle)
        if context["perms"].can_edit:
            context["form"] = EvidenceCreateForm(cycle=cycle, initial={"criterion": criterion})
            sources = _carry_over_sources(request, cycle)
            if sources:
                context["carry_form"] = CarryOverForm(sources=sources)
        context["max_size"] = max_size_text()
        response = render(request, "evidence/list.html", context)
    patch_vary_headers(response, ["HX-Request", "HX-History-Restore-Request"])
    return response


def _duplicate_offers(cycle: Cycle, checked) -> list[dict]:
    """Existing items of the school holding any of these files, with their code in this cycle if linked."""
    offers: dict[int, dict] = {}
    for item in checked:
        for version in selectors.evidence_duplicates(school=cycle.school, sha256=item.sha256):
            offer = offers.setdefault(version.evidence_id, {"evidence": version, "files": [], "link": None})
            offer["files"].append(item.original_name)
    if offers:
        for link in CycleEvidence.objects.filter(cycle=cycle, evidence_id__in=list(offers)).select_related("criterion"):
            offers[link.evidence_id]["link"] = link
    return list(offers.values())


@login_required
@require_http_methods(["GET", "POST"])
def evidence_add(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, write=True)
    offers: list[dict] = []
    if request.method == "POST":
        form = EvidenceCreateForm(request.POST, request.FILES, cycle=cycle)
        if form.is_valid():
            data = form.cleaned_data
            checked = []
            for uploaded in data["files"]:
                try:
                    checked.append(check_upload(uploaded))
                except ValidationError as e:
                    form.add_error("files", e)
            if not form.errors and not data["allow_duplicate"]:
                offers = _duplicate_offers(cycle, checked)
            if not form.errors and not offers:
                try:
                    link = services.evidence_create(
                        actor=request.user,
                        cycle=cycle,
                        criterion=data["criterion"],
                        name=data["name"],
                        issue_ref=data["issue_ref"],
                        issued_by=data["issued_by"],
                        note=data["note"],
                        link=data["link"],
                        valid_until=data["valid_until"],
                        files=data["files"],
                    )
                except ValidationError as e:
                    form.add_error(None, e)
                else:
                    messages.success(request, f"Đã thêm minh chứng {link.code}: {link.version.name}.")
                    return redirect(_list_url(cycle, link))
    else:
        criterion = Criterion.objects.filter(version_id=cycle.framework_id, code=request.GET.get("tc", "")).first()
        form = EvidenceCreateForm(cycle=cycle, initial={"criterion": criterion})
    chosen_criterion = None
    if offers:
        # The files must be chosen again (browsers never refill a file input); the rest is kept.
        chosen_criterion = form.cleaned_data["criterion"]
        form = EvidenceCreateForm(
            initial={**{k: v for k, v in form.cleaned_data.items() if k != "files"}, "allow_duplicate": True},
            cycle=cycle,
        )
    return render(
        request,
        "evidence/add.html",
        _context(
            request,
            cycle,
            form=form,
            offers=offers,
            chosen_criterion=chosen_criterion,
            max_size=max_size_text(),
        ),
    )


@login_required
@require_POST
def evidence_reuse(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """Link an existing item of the school (found by its identical file) instead of uploading it again."""
    cycle = access_cycle(request.user, cycle_id, write=True)
    form = ReuseForm(request.POST, cycle=cycle)
    if not form.is_valid():
        messages.error(request, "Không dùng lại được minh chứng: thiếu tiêu chí hoặc minh chứng.")
        return redirect("evidence:add", cycle_id=cycle.pk)
    evidence = get_object_or_404(Evidence, pk=form.cleaned_data["evidence"], school_id=cycle.school_id)
    criterion = form.cleaned_data["criterion"]
    try:
        link = services.evidence_link_existing(actor=request.user, cycle=cycle, evidence=evidence, criterion=criterion)
    except ValidationError as e:
        messages.error(request, _error_text(e))
        return redirect("evidence:add", cycle_id=cycle.pk)
    if link.criterion_id == criterion.pk:
        messages.success(request, f"Đã dùng lại minh chứng {link.code} cho tiêu chí {criterion.code}.")
    else:
        messages.success(
            request, f"Minh chứng {link.code} đã có trong đợt; đã ghi nhận dùng cho tiêu chí {criterion.code}."
        )
    return redirect(_list_url(cycle, link))


@login_required
@require_POST
def evidence_carry_over_view(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, write=True)
    form = CarryOverForm(request.POST, sources=_carry_over_sources(request, cycle))
    if not form.is_valid():
        messages.error(request, "Hãy chọn đợt tự đánh giá để kế thừa minh chứng.")
        return redirect("evidence:list", cycle_id=cycle.pk)
    source = form.cleaned_data["source"]
    try:
        result = services.evidence_carry_over(actor=request.user, source=source, target=cycle)
    except ValidationError as e:
        messages.error(request, _error_text(e))
        return redirect("evidence:list", cycle_id=cycle.pk)
    text = f"Đã kế thừa {len(result.linked)} minh chứng từ năm học {source.school_year} (giữ nguyên mã)."
    if result.already:
        text += f" {len(result.already)} minh chứng đã có sẵn."
    messages.success(request, text)
    if result.skipped:
        messages.warning(request, "Bỏ qua: " + " ".join(f"{s['code']}: {s['reason']}" for s in result.skipped))
    return redirect("evidence:list", cycle_id=cycle.pk)


@login_required
@require_GET
def evidence_health(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id)
    return render(
        request, "evidence/health.html", _context(request, cycle, "health", health=selectors.evidence_health(cycle))
    )
