from django.contrib import admin

from kiemdinh.recognition.models import Decision


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ("school", "kind", "level", "number", "decided_on", "valid_until", "revoked_on")
    list_filter = ("kind", "level", "recognition_round")
    search_fields = ("school__name", "school__code", "number")
    raw_id_fields = ("school", "created_by")
