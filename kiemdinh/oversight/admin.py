from django.contrib import admin

from kiemdinh.oversight.models import OfficerInCharge, Training, TrainingParticipant, Visit, VisitAction


class VisitActionInline(admin.TabularInline):
    model = VisitAction
    extra = 0
    fields = ("position", "content", "responsible", "due_on", "is_done", "done_on", "done_note")


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ("school", "kind", "visited_on", "unit")
    list_filter = ("kind",)
    search_fields = ("school__name", "school__code", "unit__name", "findings")
    date_hierarchy = "visited_on"
    raw_id_fields = ("unit", "school", "plan", "created_by")
    inlines = [VisitActionInline]


@admin.register(OfficerInCharge)
class OfficerInChargeAdmin(admin.ModelAdmin):
    list_display = ("full_name", "school_level", "unit", "title", "phone", "email")
    list_filter = ("school_level",)
    search_fields = ("full_name", "email", "unit__name")
    raw_id_fields = ("unit", "user")


class TrainingParticipantInline(admin.TabularInline):
    model = TrainingParticipant
    extra = 0
    fields = ("position", "full_name", "job_title", "school", "attended")
    raw_id_fields = ("school",)


@admin.register(Training)
class TrainingAdmin(admin.ModelAdmin):
    list_display = ("title", "starts_on", "ends_on", "unit", "location")
    search_fields = ("title", "unit__name", "organiser", "location")
    date_hierarchy = "starts_on"
    raw_id_fields = ("unit", "created_by")
    inlines = [TrainingParticipantInline]
