def navigation(request):
    """Navigation entries for the signed-in user's roles (filled by kiemdinh.core.navigation)."""
    from kiemdinh.core.navigation import menu_for

    return {"nav_items": menu_for(request)}
