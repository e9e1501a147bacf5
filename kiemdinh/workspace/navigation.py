"""Navigation by role: what the top bar offers to the signed-in user."""

from dataclasses import dataclass

from django.urls import reverse

from kiemdinh.accounts.access import grantable_roles, user_scope
from kiemdinh.workspace.audit_log import can_read_audit


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


def menu_for(request) -> list[NavItem]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    scope = user_scope(user)
    entries = [("Trang chủ", reverse("workspace:home"))]
    if scope.is_admin or scope.unit_paths or scope.school_ids:
        entries.append(("Tự đánh giá", reverse("workflow:cycle_list")))
    if scope.is_admin or scope.unit_paths or scope.school_ids:
        entries.append(("Kế hoạch", reverse("planning:index")))
        entries.append(("Kiểm tra, tư vấn", reverse("oversight:index")))
        entries.append(("Đánh giá ngoài", reverse("evaluation:index")))
    elif scope.evaluator:
        entries.append(("Đánh giá ngoài", reverse("evaluation:mine")))
    if scope.is_admin or scope.unit_paths:
        entries.append(("Thi đua", reverse("emulation:index")))
    if scope.is_admin or scope.unit_paths:
        entries.append(("Đơn vị và trường", reverse("units:list")))
        entries.append(("Nhập danh sách", reverse("units:import_start")))
    if grantable_roles(scope):
        entries.append(("Tài khoản", reverse("workspace:people")))
    if can_read_audit(scope):
        entries.append(("Nhật ký", reverse("workspace:audit_log")))
    entries.append(("Bộ tiêu chuẩn", reverse("frameworks:list")))
    if scope.is_admin:
        entries.append(("Quản trị", reverse("admin:index")))
    # The entry whose URL is the longest prefix of the current path is the active one.
    path = request.path
    matches = [url for _, url in entries if path == url or (url != "/" and path.startswith(url))]
    active = max(matches, key=len) if matches else None
    return [NavItem(label, url, url == active) for label, url in entries]
