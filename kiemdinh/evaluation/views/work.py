"""Screens of an external evaluation team's work: the workspace, members' reviews, the agreed ratings and the report
with its round with the school.

Who sees what:
- members of the team, between the team's first and last working day (as for the school's dossier): they read
  everything and write, each member the reviews of the criteria assigned to them, the leader or secretary the agreed
  ratings and the report; before and after those days they get 404, as anyone outside the team;
- officers above the school read everything;
- the school's principal and council secretary see the report only once it is sent to them, and answer it;
- everyone else gets 404.
Each view: access → form → service → response; POSTs redirect with a message, a refusal changes nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from kiemdinh.core.forms import error_text, errors_into
from kiemdinh.evaluation.access import TeamViewer, access_team_work
from kiemdinh.evaluation.forms.work import FeedbackForm, RatingForm, ReplyForm, ReportForm, ReviewForm
from kiemdinh.evaluation.models import ReportStatus, SchoolFeedback, Team
from kiemdinh.evaluation.selectors import work as sel
from kiemdinh.evaluation.services import work as ws
from kiemdinh.evidence.selectors import cycle_codes
from kiemdinh.frameworks.choices import Confidence
from kiemdinh.frameworks.evidence_codes import find_codes
from kiemdinh.frameworks.models import Criterion, Level4Item
from kiemdinh.selfassessment.models import LEVEL4_KEY, CriterionForm, Level4Rating
from kiemdinh.selfassessment.selectors import criterion_levels


def _refusal(viewer: TeamViewer) -> str:
    if viewer.member is None:
        return "Chỉ thành viên đoàn được thực hiện việc này; cơ quan quản lý chỉ xem."
    if viewer.final:
        return "Báo cáo đánh giá ngoài đã hoàn thành; không sửa được nữa."
    if not viewer.team.is_open(viewer.today):
        t = viewer.team
        return f"Đoàn chỉ làm việc từ ngày {t.dossier_from:%d/%m/%Y} đến ngày {t.ends_on:%d/%m/%Y}."
    return "Chỉ trưởng đoàn hoặc thư ký đoàn được thực hiện việc này."


def _require_agree(viewer: TeamViewer) -> None:
    if not viewer.can_agree:
        raise PermissionDenied(_refusal(viewer))


def _context(viewer: TeamViewer, tab: str, **extra) -> dict:
    return {"team": viewer.team, "viewer": viewer, "tab": tab, "today": viewer.today, **extra}


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true" and "HX-History-Restore-Request" not in request.headers


# --- Workspace -------------------------------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest, team_id: int) -> HttpResponse:
    try:
        viewer = access_team_work(request.user, team_id)
    except Http404:
        # The school, once the report is sent: the report only.
        viewer = access_team_work(request.user, team_id, report=True)
        return redirect("evaluation_work:report", team_id=viewer.team.pk)
    team = viewer.team
    table = sel.ratings_table(team)
    return render(
        request,
        "evaluation/work/home.html",
        _context(
            viewer,
            "home",
            stages=sel.team_stages(team, viewer.today),
            stage_now=sel.today_stage(team, viewer.today),
            progress=sel.members_progress(team),
            table=table,
            proposal=sel.recognition_proposal(team, table.result),
        ),
    )


# --- Members' reviews ------------------------------------------------------------------------------------------------


def _review_page(request, team_id: int, code: str, level4: bool) -> HttpResponse:
    viewer = access_team_work(request.user, team_id)
    team = viewer.team
    cycle = team.registration.cycle
    if level4:
        item = get_object_or_404(
            Level4Item.objects.exclude(confidence=Confidence.MISSING), version=cycle.framework, code=code
        )
        criterion, lookup = None, {"level4_item": item}
        assigned = viewer.member is not None and viewer.member.level4_items.filter(pk=item.pk).exists()
    else:
        criterion = get_object_or_404(Criterion.objects.select_related("standard"), version=cycle.framework, code=code)
        item, lookup = None, {"criterion": criterion}
        assigned = viewer.member is not None and viewer.member.criteria.filter(pk=criterion.pk).exists()
    can_edit = assigned and viewer.can_write
    mine = team.reviews.filter(member=viewer.member, **lookup).first() if viewer.member else None
    form = ReviewForm(
        request.POST if request.method == "POST" else None,
        criterion=criterion,
        item=item,
        initial=ReviewForm.initial_of(mine),
    )
    status = 200
    if request.method == "POST":
        if not assigned:
            raise PermissionDenied("Tiêu chí này không được phân công cho bạn; bạn chỉ xem được.")
        if not can_edit:
            raise PermissionDenied(_refusal(viewer))
        if form.is_valid():
            try:
                ws.review_save(
                    actor=request.user, team=team, member=viewer.member, data=form.to_input(), today=viewer.today,
                    **lookup,
                )  # fmt: skip
            except ValidationError as error:
                errors_into(form, error)
            else:
                messages.success(request, "Đã lưu phiếu đánh giá.")
                name = "evaluation_work:review_level4" if level4 else "evaluation_work:review"
                return redirect(name, team_id=team.pk, code=code)
        status = 400

    school_form = CriterionForm.objects.filter(cycle=cycle, **lookup).first()
    texts = [school_form.strengths, school_form.weaknesses, school_form.improvement] if school_form else []
    descriptions = dict(school_form.descriptions or {}) if school_form else {}
    texts += list(descriptions.values())
    codes = find_codes("\n".join(texts))
    known = cycle_codes(cycle, codes)
    cited = [(c, known.get(c)) for c in codes]
    context = _context(
        viewer,
        "reviews",
        criterion=criterion,
        item=item,
        school_form=school_form,
        form=form,
        can_edit=can_edit,
        assigned=assigned,
        cited=cited,
        others=[
            r
            for r in team.reviews.filter(**lookup).select_related("member__evaluator").order_by("member__position")
            if viewer.member is None or r.member_id != viewer.member.pk
        ],
        assignees=[m for m in team.members.select_related("evaluator") if m.pk in _assignee_ids(team, lookup)],
        rating=team.ratings.filter(**lookup).first(),
    )
    if criterion is not None:
        blocks, level = criterion_levels(cycle, criterion)
        context.update(
            blocks=[(b, [(row, descriptions.get(row.key, "")) for row in b.rows]) for b in blocks], school_level=level
        )
    else:
        context.update(
            school_achieved=Level4Rating.objects.filter(cycle=cycle, item=item, achieved=True).exists(),
            item_description=descriptions.get(LEVEL4_KEY, "") or "\n".join(descriptions.values()),
        )
    context.update(_neighbours(team, criterion, item))
    return render(request, "evaluation/work/review.html", context, status=status)


def _assignee_ids(team: Team, lookup: dict) -> set[int]:
    if "criterion" in lookup:
        return set(team.members.filter(criteria=lookup["criterion"]).values_list("pk", flat=True))
    return set(team.members.filter(level4_items=lookup["level4_item"]).values_list("pk", flat=True))


def _neighbours(team: Team, criterion, item) -> dict:
    framework = team.registration.cycle.framework
    if criterion is not None:
        codes = list(Criterion.objects.filter(version=framework).order_by("position").values_list("code", flat=True))
        current = criterion.code
    else:
        codes = list(
            Level4Item.objects.filter(version=framework)
            .exclude(confidence=Confidence.MISSING)
            .order_by("position")
            .values_list("code", flat=True)
        )
        current = item.code
    index = codes.index(current)
    return {
        "previous_code": codes[index - 1] if index > 0 else None,
        "next_code": codes[index + 1] if index + 1 < len(codes) else None,
    }


@login_required
def review(request: HttpRequest, team_id: int, code: str) -> HttpResponse:
    return _review_page(request, team_id, code, level4=False)


@login_required
def review_level4(request: HttpRequest, team_id: int, code: str) -> HttpResponse:
    return _review_page(request, team_id, code, level4=True)


# --- Agreed ratings --------------------------------------------------------------------------------------------------


def _find_row(table: sel.RatingsTable, key: str) -> sel.RatingRow:
    for row in [*table.rows, *table.level4]:
        if row.key == key:
            return row
    raise Http404("Không có tiêu chí này.")


@login_required
def ratings(request: HttpRequest, team_id: int) -> HttpResponse:
    viewer = access_team_work(request.user, team_id)
    team = viewer.team
    table = sel.ratings_table(team)
    failed = None
    if request.method == "POST":
        _require_agree(viewer)
        row = _find_row(table, request.POST.get("key", ""))
        form = RatingForm(request.POST, row=row, prefix=row.key)
        if form.is_valid():
            try:
                ws.rating_save(actor=request.user, team=team, today=viewer.today, **form.service_kwargs())
            except ValidationError as error:
                errors_into(form, error)
            else:
                label = f"tiêu chí {row.code}" if row.criterion else f"tiêu chí Mức 4 số {row.code}"
                if _is_htmx(request):
                    table = sel.ratings_table(team)
                    row = _find_row(table, row.key)
                    return render(
                        request,
                        "evaluation/work/ratings.html#rating_row",
                        _context(viewer, "ratings", table=table, row=row, form=_rating_form(row), oob=True),
                    )
                messages.success(request, f"Đã lưu mức đoàn thống nhất của {label}.")
                response = redirect("evaluation_work:ratings", team_id=team.pk)
                response["Location"] += f"#r-{row.key.replace('/', '')}"
                return response
        failed = (row.key, form)
    rows = []
    for row in [*table.rows, *table.level4]:
        form = failed[1] if failed and failed[0] == row.key else _rating_form(row)
        rows.append((row, form))
    standard_rows = rows[: len(table.rows)]
    return render(
        request,
        "evaluation/work/ratings.html",
        _context(
            viewer,
            "ratings",
            table=table,
            forms={row.key: form for row, form in rows},
            standard_rows=standard_rows,
            level4_rows=rows[len(table.rows) :],
            copyable=sum(1 for r in [*table.rows, *table.level4] if _copyable(r)),
            proposal=sel.recognition_proposal(team, table.result),
        ),
        status=400 if failed else 200,
    )


def _rating_form(row: sel.RatingRow) -> RatingForm:
    initial = {}
    if row.rating is not None:
        agreed = row.agreed
        initial = {
            "value": "" if agreed is None else (str(int(agreed)) if row.criterion is None else str(agreed)),
            "note": row.rating.note,
        }
    return RatingForm(row=row, prefix=row.key, initial=initial)


def _copyable(row: sel.RatingRow) -> bool:
    return row.unanimous is not None and row.unanimous != row.agreed


@login_required
def ratings_copy(request: HttpRequest, team_id: int) -> HttpResponse:
    """Preview of "lấy mức đề xuất": the criteria where every member proposed the same level, to confirm; nothing is
    saved before the confirmation."""
    viewer = access_team_work(request.user, team_id)
    _require_agree(viewer)
    team = viewer.team
    table = sel.ratings_table(team)
    candidates = [r for r in [*table.rows, *table.level4] if _copyable(r)]
    if request.method == "POST":
        chosen = set(request.POST.getlist("key"))
        picked = [r for r in candidates if r.key in chosen]
        try:
            count = ws.ratings_from_proposals(
                actor=request.user,
                team=team,
                criterion_ids=[r.criterion.pk for r in picked if r.criterion],
                level4_item_ids=[r.item.pk for r in picked if r.item],
                today=viewer.today,
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
            return render(
                request,
                "evaluation/work/ratings_copy.html",
                _context(viewer, "ratings", candidates=candidates, chosen=chosen),
                status=400,
            )
        messages.success(request, f"Đã lấy mức đề xuất cho {count} tiêu chí.")
        return redirect("evaluation_work:ratings", team_id=team.pk)
    return render(
        request,
        "evaluation/work/ratings_copy.html",
        _context(viewer, "ratings", candidates=candidates, chosen={r.key for r in candidates}),
    )


# --- The report ------------------------------------------------------------------------------------------------------


def _report_context(viewer: TeamViewer, report, table, *, form=None, feedback_form=None) -> dict:
    team = viewer.team
    feedback = sel.report_feedback(report)
    if form is None and viewer.team_side:
        initial = (
            {name: getattr(report, name) for name in ws.REPORT_PARTS}
            if report is not None
            else sel.report_suggestions(team, table)
        )
        form = ReportForm(initial=initial)
    framework = team.registration.cycle.framework
    return _context(
        viewer,
        "report",
        report=report,
        table=table,
        form=form,
        suggested=report is None,
        feedback=[(f, ReplyForm(prefix=f"fb{f.pk}", initial={"reply": f.reply})) for f in feedback],
        feedback_form=feedback_form or FeedbackForm(framework=framework),
        can_answer=viewer.school and viewer.report_status == ReportStatus.SENT,
        unrated=[r.code for r in table.rows if r.agreed is None],
        proposal=sel.recognition_proposal(team, table.result),
    )


@login_required
def report(request: HttpRequest, team_id: int) -> HttpResponse:
    viewer = access_team_work(request.user, team_id, report=True)
    team = viewer.team
    current = sel.team_report(team)
    table = sel.ratings_table(team)
    if request.method == "POST":
        _require_agree(viewer)
        form = ReportForm(request.POST)
        if form.is_valid():
            try:
                ws.report_save(actor=request.user, team=team, data=form.to_input(), today=viewer.today)
            except ValidationError as error:
                errors_into(form, error)
            else:
                messages.success(request, "Đã lưu báo cáo.")
                return redirect("evaluation_work:report", team_id=team.pk)
        return render(
            request, "evaluation/work/report.html", _report_context(viewer, current, table, form=form), status=400
        )
    return render(request, "evaluation/work/report.html", _report_context(viewer, current, table))


def _status_action(request, team_id: int, action, done: str) -> HttpResponse:
    viewer = access_team_work(request.user, team_id)
    _require_agree(viewer)
    try:
        action(actor=request.user, team=viewer.team, today=viewer.today)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, done)
    return redirect("evaluation_work:report", team_id=viewer.team.pk)


@login_required
@require_POST
def report_send(request: HttpRequest, team_id: int) -> HttpResponse:
    return _status_action(request, team_id, ws.report_send, "Đã gửi dự thảo báo cáo cho nhà trường góp ý.")


@login_required
@require_POST
def report_finalise(request: HttpRequest, team_id: int) -> HttpResponse:
    return _status_action(
        request,
        team_id,
        ws.report_finalise,
        "Đã hoàn thành báo cáo đánh giá ngoài chính thức; đoàn kết thúc công việc.",
    )


@login_required
@require_POST
def feedback_add(request: HttpRequest, team_id: int) -> HttpResponse:
    viewer = access_team_work(request.user, team_id, report=True)
    if not viewer.school:
        raise PermissionDenied("Chỉ hiệu trưởng hoặc thư ký hội đồng tự đánh giá của trường được gửi ý kiến.")
    team = viewer.team
    form = FeedbackForm(request.POST, framework=team.registration.cycle.framework)
    if form.is_valid():
        try:
            ws.feedback_add(
                actor=request.user, team=team, text=form.cleaned_data["text"], criterion=form.cleaned_data["criterion"]
            )
        except ValidationError as error:
            errors_into(form, error)
        else:
            messages.success(request, "Đã gửi ý kiến của nhà trường cho đoàn.")
            return redirect("evaluation_work:report", team_id=team.pk)
    context = _report_context(viewer, sel.team_report(team), sel.ratings_table(team), feedback_form=form)
    return render(request, "evaluation/work/report.html", context, status=400)


@login_required
@require_POST
def feedback_reply(request: HttpRequest, team_id: int, feedback_id: int) -> HttpResponse:
    viewer = access_team_work(request.user, team_id)
    _require_agree(viewer)
    team = viewer.team
    feedback = get_object_or_404(SchoolFeedback, pk=feedback_id, report__team=team)
    form = ReplyForm(request.POST, prefix=f"fb{feedback.pk}")
    if form.is_valid():
        try:
            ws.feedback_reply(
                actor=request.user, team=team, feedback=feedback, reply=form.cleaned_data["reply"], today=viewer.today
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, "Đã ghi ý kiến trả lời của đoàn.")
    else:
        messages.error(request, "Hãy ghi ý kiến trả lời của đoàn.")
    response = redirect("evaluation_work:report", team_id=team.pk)
    response["Location"] += f"#y-kien-{feedback.pk}"
    return response
