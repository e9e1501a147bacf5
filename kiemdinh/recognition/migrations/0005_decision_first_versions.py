from django.db import migrations


def first_versions(apps, schema_editor):
    """Decisions recorded before their history was kept get their first version, as they stand (who entered them and
    when), so that a later correction or revocation shows what it changed."""
    Decision = apps.get_model("recognition", "Decision")
    HistoricalDecision = apps.get_model("recognition", "HistoricalDecision")
    fields = [f.attname for f in Decision._meta.concrete_fields]
    kept = set(HistoricalDecision.objects.values_list("id", flat=True).distinct())
    rows = []
    for decision in Decision.objects.exclude(pk__in=kept).iterator():
        rows.append(
            HistoricalDecision(
                **{name: getattr(decision, name) for name in fields},
                history_date=decision.created_at,
                history_type="+",
                history_user_id=decision.created_by_id,
                history_change_reason=(
                    "Ban hành từ kết quả đánh giá ngoài" if decision.team_id else "Ghi quyết định"
                ),
            )
        )
    HistoricalDecision.objects.bulk_create(rows, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("recognition", "0004_decision_regime")]

    operations = [migrations.RunPython(first_versions, migrations.RunPython.noop)]
