from django.conf import settings
from django.contrib.auth import views as auth_views

from kiemdinh.accounts.forms import LoginForm
from kiemdinh.accounts.middleware import MARKER


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
