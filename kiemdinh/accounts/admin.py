"""Users and their roles in Django's admin site, for system admins. Officers and principals manage accounts from the
application's own page (workspace.people), which keeps to what each may grant; this site is the system admin's."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from kiemdinh.accounts.models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("role", "unit", "school", "body", "title", "is_active")
    raw_id_fields = ("unit", "school")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Thông tin", {"fields": ("full_name", "email", "phone")}),
        ("Quyền", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Thời điểm", {"fields": ("last_login", "date_joined")}),
    )
    list_display = ("username", "full_name", "email", "is_active", "last_login")
    search_fields = ("username", "full_name", "email")
    inlines = (MembershipInline,)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "unit", "school", "body", "is_active")
    list_filter = ("role", "is_active", "body")
    search_fields = ("user__username", "user__full_name", "school__name", "unit__name")
    raw_id_fields = ("user", "unit", "school")
