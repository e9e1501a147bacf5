def navigation(request):
    """Navigation entries for the signed-in user's roles (filled by kiemdinh.workspace.navigation)."""
    from kiemdinh.workspace.navigation import menu_for

    return {"nav_items": menu_for(request)}
