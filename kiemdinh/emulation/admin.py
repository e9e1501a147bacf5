from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kiemdinh.emulation.models import EmulationRule, EmulationScheme, ScoreAdjustment


class RuleInline(admin.TabularInline):
    """Read-only here: rules are added and changed on the scheme's screens, whose forms check each kind's parameters."""

    model = EmulationRule
    extra = 0
    fields = ("position", "label", "kind", "points", "parameters")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(EmulationScheme)
class EmulationSchemeAdmin(admin.ModelAdmin):
    list_display = ("title", "school_year", "unit", "status", "max_score")
    list_filter = ("status", "school_year")
    search_fields = ("title", "unit__name")
    raw_id_fields = ("unit", "created_by")
    readonly_fields = ("created_at", "updated_at")
    inlines = [RuleInline]


@admin.register(ScoreAdjustment)
class ScoreAdjustmentAdmin(SimpleHistoryAdmin):
    list_display = ("scheme", "school", "points", "by", "at")
    list_filter = ("scheme__school_year",)
    search_fields = ("school__name", "reason")
    raw_id_fields = ("scheme", "school", "by")
    history_list_display = ("points", "reason")
