"""What every page's header shows for the signed-in user: the menu (kiemdinh.workspace.navigation) and the role they act
as, with the picker when they hold several (no query: the access scope has them)."""

from kiemdinh.accounts.access import user_scope
from kiemdinh.workspace.navigation import menu_for


def navigation(request):
    user = getattr(request, "user", None)
    scope = user_scope(user) if user is not None and user.is_authenticated else None
    return {
        "nav_items": menu_for(request),
        "role_choices": scope.roles if scope else (),
        "acting": scope.acting if scope else None,
    }
