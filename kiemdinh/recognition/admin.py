from django.contrib import admin

from kiemdinh.recognition.models import Decision, Delegation


class ReadOnly:
    """Decisions and delegations change only through their services: the rule table (recognition.authority) decides
    who, and the history and audit log record it. The admin site shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Decision)
class DecisionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("school", "kind", "level", "number", "decided_on", "valid_until", "revoked_on")
    list_filter = ("kind", "level", "recognition_round")
    search_fields = ("school__name", "school__code", "number")
    raw_id_fields = ("school", "created_by")


@admin.register(Delegation)
class DelegationAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("unit", "body", "delegate_unit", "delegate_body", "actions", "document_number", "valid_from")
    search_fields = ("document_number", "unit__name")
