from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from kiemdinh.accounts import services
from kiemdinh.accounts.access import user_scope
from kiemdinh.accounts.forms import LoginForm, PasswordResetRequestForm
from kiemdinh.accounts.middleware import ACTING, MARKER
from kiemdinh.accounts.two_factor import offered_to
from kiemdinh.core.bounds import as_id


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if getattr(self.request, "session_expired", False):
            context["session_expired_minutes"] = settings.SESSION_IDLE_MINUTES
        return context

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if getattr(request, "session_expired", False):
            response.delete_cookie(MARKER, samesite="Lax")  # told once
        return response


class LogoutView(auth_views.LogoutView):
    pass


# --- Passwords: change it, or set it from a link sent by e-mail (a reset, or an invitation to a new account) ---------
# Django's views, with our pages and messages; the password rules (AUTH_PASSWORD_VALIDATORS) hold on both paths.


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "offer_two_factor": offered_to(self.request.user)}

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(user=form.user, reset=False)
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    """Asks for the account's e-mail address and sends a one-time link to it; says the same whether or not an
    account has that address (nobody learns which addresses are registered)."""

    form_class = PasswordResetRequestForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The one-time link's page: sets the password (a reset, or the first one of an invited account). The link stops
    working once the password is set."""

    template_name = "accounts/password_set.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(user=form.user, reset=True)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_set_done.html"


@login_required
@require_POST
def act_as(request: HttpRequest) -> HttpResponse:
    """Choose which of one's roles to act as (empty: all of them together); then the home page, as the pages the user
    may open change with it."""
    choice = as_id(request.POST.get("vai_tro", ""))
    held = {r.membership_id: r.label for r in user_scope(request.user).roles}  # every role, whatever acted as now
    if choice is None:
        request.session.pop(ACTING, None)
        messages.info(request, "Đang làm việc với tất cả vai trò của tài khoản.")
    elif choice in held:
        request.session[ACTING] = choice
        messages.info(request, f"Đang làm việc với vai trò: {held[choice]}.")
    else:
        messages.error(request, "Vai trò đã chọn không còn là của tài khoản này.")
    return redirect("workspace:home")
