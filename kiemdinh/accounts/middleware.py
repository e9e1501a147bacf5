"""Sessions end after KIEMDINH_SESSION_IDLE_MINUTES without a request (default 120).

A session expires SESSION_COOKIE_AGE (the idle time) after it was last saved. To make that an idle timeout without
writing the session on every request, a signed-in request saves it only when the last save is older than
`refresh_seconds()` (5 minutes at the default): a session then ends between idle − 5 and idle minutes after the last
request. The middleware also ends a session whose last save is older than the idle time itself, whatever the session
backend does: the Redis copy of a `cached_db` session is dropped by Redis's own clock, and the idle rule must not
depend on it.

A small cookie (MARKER, no personal data) says that this browser was signed in. A request that carries it but is no
longer signed in comes from a session that ran out (or was ended elsewhere): the sign-in page then says so.
"""

import time

from django.conf import settings
from django.contrib.auth import logout

MARKER = "kd_da_dang_nhap"
STAMP = "_kd_active"  # in the session: when it was last saved by this middleware (seconds since the epoch)
MARKER_MAX_AGE = 30 * 24 * 3600


def refresh_seconds() -> int:
    return max(1, min(300, settings.SESSION_COOKIE_AGE // 10))


def stamp_at_sign_in(sender, request, user, **kwargs) -> None:
    """A new session is saved by the sign-in itself: note it, so the next requests need not save it again."""
    if request is not None and hasattr(request, "session"):
        request.session[STAMP] = int(time.time())


class IdleSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        was_signed_in = request.user.is_authenticated
        if was_signed_in:
            now = int(time.time())
            last = request.session.get(STAMP)
            if isinstance(last, int) and now - last >= settings.SESSION_COOKIE_AGE:
                logout(request)  # idle too long: ended here, as the session's own expiry would have
                was_signed_in = False
            elif not isinstance(last, int) or now - last >= refresh_seconds():
                request.session[STAMP] = now  # saved at the end of the request: the expiry moves on
        marked = request.COOKIES.get(MARKER) == "1"
        request.session_expired = not was_signed_in and marked
        response = self.get_response(request)
        signed_in = request.user.is_authenticated  # after the view: a sign-in or a sign-out may have happened
        if signed_in and not marked:
            response.set_cookie(
                MARKER,
                "1",
                max_age=MARKER_MAX_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        elif not signed_in and was_signed_in:
            response.delete_cookie(MARKER, samesite="Lax")  # signed out on purpose: nothing to explain next time
        return response


ACTING = "kd_vai_tro"  # in the session: the membership the user acts as (none: all their roles together)


class ActingRoleMiddleware:
    """Tells the access scope which of the user's roles they chose to act as (accounts.access.user_scope)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        acting = request.session.get(ACTING) if hasattr(request, "session") else None
        if isinstance(acting, int) and request.user.is_authenticated:
            request.user._kiemdinh_acting = acting
        return self.get_response(request)
