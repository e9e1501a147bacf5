"""The menu of the signed-in user (kiemdinh.workspace.navigation) in every page's context."""

from kiemdinh.workspace.navigation import menu_for


def navigation(request):
    return {"nav_items": menu_for(request)}
