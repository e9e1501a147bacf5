"""Login throttling on two counts (django-axes, through its supported extension point: a handler class).

- a username from one address: AXES_FAILURE_LIMIT failures (5) lock that pair, as before;
- one address across usernames: LOGIN_ADDRESS_FAILURE_LIMIT failures (20 by default, higher since a school's staff
  often share one address) lock the address, whatever username it tries next. This stops trying one password on many
  accounts, which the pair count alone never sees.

Both counts are failures within AXES_COOLOFF_TIME. A successful sign-in clears the failures of that username at that
address only: signing in with one's own account does not clear the address's count for the accounts tried before.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render


def _failures(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class LoginThrottleHandler(AxesDatabaseHandler):
    def _recent(self, request):
        return AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))

    def pair_failures(self, request, credentials=None) -> int:
        username = get_client_username(request, credentials)
        return _failures(self._recent(request).filter(username=username, ip_address=request.axes_ip_address))

    def address_failures(self, request) -> int:
        return _failures(self._recent(request).filter(ip_address=request.axes_ip_address))

    def locked_by_address(self, request) -> bool:
        return self.address_failures(request) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT

    def get_failures(self, request, credentials=None) -> int:
        """The failures that count toward the (pair) limit axes compares with: the pair's own, or the limit itself
        once the address has reached its limit, so that axes locks out and records the lockout as usual."""
        pair = self.pair_failures(request, credentials)
        if self.locked_by_address(request):
            return max(pair, get_failure_limit(request, credentials))
        return pair

    def reset_user_attempts(self, request, credentials=None) -> int:
        """On a successful sign-in: forget that username's failures at that address, and only those."""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address).delete()
        return count


def client_address(request) -> str | None:
    """The client's address as the reverse proxy gives it in KIEMDINH_CLIENT_IP_HEADER (AXES_CLIENT_IP_CALLABLE when
    that is set); the connection's address for a request that did not pass the proxy."""
    header = "HTTP_" + settings.CLIENT_IP_HEADER.upper().replace("-", "_")
    return request.META.get(header, "").strip() or request.META.get("REMOTE_ADDR")


def lockout_response(request, original_response=None, credentials=None):
    """The Vietnamese lockout page (HTTP 429), saying whether the account or the whole address is paused, and for how
    many minutes."""

    handler = AxesProxyHandler.get_implementation()
    by_address = isinstance(handler, LoginThrottleHandler) and handler.locked_by_address(request)
    cool_off = get_cool_off(request)
    context = {
        "by_address": by_address,
        "minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
        "username": get_client_username(request, credentials) or "",
    }
    return render(request, "accounts/locked_out.html", context, status=429)
