"""One submission, one effect: the same form sent twice at once (a double click on "Thêm", a resent request) is carried
out once, whatever the view.

For each POST of a signed-in user, `DoubleSubmitMiddleware` claims the row of `SubmitClaim` of the session, holding a
digest of what was submitted (the address, every field but the CSRF token, each uploaded file's name, size and SHA-256,
the htmx headers). The claim is an INSERT on a unique key in the database, so it holds across threads, processes and
machines (app servers keep no state; the default installation has no shared cache):

- no row, or a row for a different submission (another address, another text, another file) or an expired one: this
  request takes the claim and runs the view. Only a repeat of the session's latest submission is held back, so saving
  A, then B, then A again saves A again, and "Ban hành" tried again after fixing the header (another form) runs again.
- a row for the same submission still running: wait for it (at most WAIT_SECONDS), then answer as below; if it is still
  running then, answer 409 with "Yêu cầu này đã được gửi, đang được xử lý".
- a row for the same submission already handled (within REPLAY_SECONDS): answer with the first response again — the
  same redirect (with the message it left), the same htmx fragment — without running the view.

When the view wrote nothing (a form sent back with its errors) or failed (5xx), the claim is dropped at once, so sending
it again runs it again. Views whose identical requests are meant to repeat (moving a row up twice, autosaving a draft)
are marked with `repeatable_post`.
"""

import hashlib
import secrets
import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from kiemdinh.core.models import SubmitClaim

RUNNING_SECONDS = 120  # a claim whose request never finished (a killed worker) is given up after this
REPLAY_SECONDS = 5  # how long a handled submission is answered from its first response
WAIT_SECONDS = 10  # how long a duplicate waits for the first request to finish
POLL_SECONDS = 0.05
MAX_REPLAY_BYTES = 512 * 1024
REPLAYED_HEADERS = ("content-type", "location", "content-disposition")
IGNORED_FIELDS = frozenset(["csrfmiddlewaretoken"])
_CLAIM_TABLE = SubmitClaim._meta.db_table


def repeatable_post(view):
    """Mark a view whose identical POSTs are each meant to happen (move a row up twice) or are harmless to repeat and
    must not be answered from an earlier response (an autosave: the draft must hold the latest text)."""
    view.repeatable_post = True
    return view


def _submission_digest(request) -> str:
    digest = hashlib.sha256()

    def add(*parts):
        for part in parts:
            data = part if isinstance(part, bytes) else str(part).encode("utf-8", "surrogatepass")
            digest.update(len(data).to_bytes(8, "big") + data)

    add(request.method, request.get_full_path())
    add(*(f"{name}:{value}" for name, value in sorted(request.headers.items()) if name.lower().startswith("hx-")))
    for name in sorted(request.POST):
        if name not in IGNORED_FIELDS:
            add(name, len(request.POST.getlist(name)), *request.POST.getlist(name))
    for name in sorted(request.FILES):
        for upload in request.FILES.getlist(name):
            content = hashlib.sha256()
            for chunk in upload.chunks():
                content.update(chunk)
            upload.seek(0)
            add(name, upload.name, upload.size, content.hexdigest())
    return digest.hexdigest()


def _claim_key(request) -> str:
    who = request.session.session_key or f"user:{request.user.pk}"
    return hashlib.sha256(who.encode()).hexdigest()


class _WriteWatch:
    """An execute wrapper noting whether the view wrote anything (its own claim aside)."""

    def __init__(self):
        self.wrote = False

    def __call__(self, execute, sql, params, many, context):
        head = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
        if head in ("INSERT", "UPDATE", "DELETE", "REPLACE") and _CLAIM_TABLE not in sql:
            self.wrote = True
        return execute(sql, params, many, context)


class DoubleSubmitMiddleware:
    """See the module docstring. Placed after the authentication and before the messages middleware (so the response
    it keeps carries the message the first request left)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "POST":
            return self.get_response(request)
        watch = _WriteWatch()
        with connection.execute_wrapper(watch):
            response = self.get_response(request)
        claim = getattr(request, "_submit_claim", None)
        if claim is not None:
            _finish(claim, response, wrote=watch.wrote)
        return response

    def process_view(self, request, view, args, kwargs):
        if request.method != "POST" or not request.user.is_authenticated or getattr(view, "repeatable_post", False):
            return None
        if getattr(view, "csrf_exempt", False):
            return None  # not a form of this site's pages (the JSON API's public evaluation)
        key, digest = _claim_key(request), _submission_digest(request)
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            token, row = _try_claim(key, digest)
            if token:
                request._submit_claim = (key, token)
                return None
            if row is not None and row.done:
                return _replay(request, row)
            if time.monotonic() >= deadline:
                return _still_running(request)
            time.sleep(POLL_SECONDS)


def _try_claim(key: str, digest: str) -> tuple[str | None, SubmitClaim | None]:
    """(our token, None) when this request now holds the claim; (None, the row) when the same submission holds it."""
    now = timezone.now()
    token = secrets.token_hex(16)
    fresh = {"digest": digest, "token": token, "expires_at": now + timedelta(seconds=RUNNING_SECONDS), "done": False}
    try:
        with transaction.atomic():
            SubmitClaim.objects.create(key=key, **fresh)
        if secrets.randbelow(50) == 0:  # now and then, clear what has expired
            SubmitClaim.objects.filter(expires_at__lt=now).delete()
        return token, None
    except IntegrityError:
        pass
    row = SubmitClaim.objects.filter(key=key).first()
    if row is None:
        return None, None  # dropped meanwhile: try again
    if row.digest == digest and row.expires_at > now:
        return None, row
    # Another submission to this address, or an expired claim: take it over, unless someone else just did.
    taken = SubmitClaim.objects.filter(key=key, token=row.token).update(status=None, headers=[], body=None, **fresh)
    return (token, None) if taken else (None, None)


def _finish(claim: tuple[str, str], response, *, wrote: bool) -> None:
    key, token = claim
    mine = SubmitClaim.objects.filter(key=key, token=token)
    if not wrote or response.status_code >= 500:
        mine.delete()  # nothing happened: the same submission sent again runs again
        return
    keep_body = not response.streaming and len(response.content) <= MAX_REPLAY_BYTES
    headers = [[name, value] for name, value in response.items() if name.lower() in REPLAYED_HEADERS]
    headers += [[name, value] for name, value in response.items() if name.lower().startswith("hx-")]
    messages_cookie = response.cookies.get(getattr(settings, "MESSAGE_COOKIE_NAME", "messages"))
    if messages_cookie is not None:
        headers.append(["set-cookie", messages_cookie.OutputString()])
    mine.update(
        done=True,
        status=response.status_code,
        headers=headers,
        body=bytes(response.content) if keep_body else None,
        expires_at=timezone.now() + timedelta(seconds=REPLAY_SECONDS),
    )


def _replay(request, row: SubmitClaim) -> HttpResponse:
    if row.body is None and not 300 <= row.status < 400:
        return _page(
            request,
            "Yêu cầu này đã được gửi và đã được xử lý; hệ thống không thực hiện lần nữa. Hãy mở lại trang để xem kết "
            "quả.",
            status=409,
        )
    location = next((value for name, value in row.headers if name.lower() == "location"), None)
    if location is not None:
        response = HttpResponseRedirect(location, status=row.status)
    else:
        response = HttpResponse(bytes(row.body or b""), status=row.status)
    for name, value in row.headers:
        if name == "set-cookie":
            response.cookies.load(value)  # the message the first request left for the page it redirected to
        elif name.lower() != "location":
            response[name] = value
    response["X-Submission-Replayed"] = "1"
    return response


def _still_running(request) -> HttpResponse:
    return _page(
        request, "Yêu cầu này đã được gửi, đang được xử lý. Xin chờ giây lát rồi mở lại trang để xem kết quả.", 409
    )


def _page(request, message: str, status: int) -> HttpResponse:
    if request.headers.get("HX-Request"):
        return HttpResponse(status=204)  # htmx: leave the page as the first request's answer made it
    back = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = ""
    return render(request, "core/submitted.html", {"message": message, "back": back}, status=status)
