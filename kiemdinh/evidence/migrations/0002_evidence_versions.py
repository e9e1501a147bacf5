"""Evidence items get versions (issue #18): an item's fields and files move to EvidenceVersion; each cycle link and
each file row points at a version. Every existing item becomes version 1, cited by all the cycles that linked it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FIELDS = ("name", "issue_ref", "issued_by", "note", "link", "valid_until", "search_text")


def to_versions(apps, schema_editor):
    Evidence = apps.get_model("evidence", "Evidence")
    EvidenceVersion = apps.get_model("evidence", "EvidenceVersion")
    CycleEvidence = apps.get_model("evidence", "CycleEvidence")
    EvidenceFile = apps.get_model("evidence", "EvidenceFile")
    first_cycle = {}
    for evidence_id, cycle_id in CycleEvidence.objects.order_by("cycle__school_year", "id").values_list(
        "evidence_id", "cycle_id"
    ):
        first_cycle.setdefault(evidence_id, cycle_id)
    for item in Evidence.objects.all().iterator():
        version = EvidenceVersion.objects.create(
            evidence_id=item.pk,
            number=1,
            cycle_id=first_cycle.get(item.pk),
            created_by_id=item.created_by_id,
            **{f: getattr(item, f) for f in FIELDS},
        )
        EvidenceVersion.objects.filter(pk=version.pk).update(created_at=item.created_at)
        CycleEvidence.objects.filter(evidence_id=item.pk).update(version_id=version.pk)
        EvidenceFile.objects.filter(evidence_id=item.pk).update(version_id=version.pk)


def from_versions(apps, schema_editor):
    """Back to one set of fields per item: the latest version's (older versions' differences are lost)."""
    Evidence = apps.get_model("evidence", "Evidence")
    EvidenceVersion = apps.get_model("evidence", "EvidenceVersion")
    EvidenceFile = apps.get_model("evidence", "EvidenceFile")
    for item in Evidence.objects.all().iterator():
        latest = EvidenceVersion.objects.filter(evidence_id=item.pk).order_by("-number").first()
        if latest is None:
            continue
        Evidence.objects.filter(pk=item.pk).update(**{f: getattr(latest, f) for f in FIELDS})
        EvidenceFile.objects.filter(version_id=latest.pk).update(evidence_id=item.pk)
        EvidenceFile.objects.filter(version__evidence_id=item.pk).exclude(version_id=latest.pk).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0001_initial"),
        ("selfassessment", "0004_school_statistics"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="EvidenceVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveIntegerField(verbose_name="phiên bản")),
                ("name", models.CharField(max_length=1000, verbose_name="tên minh chứng")),
                ("issue_ref", models.CharField(blank=True, max_length=300, verbose_name="số, ngày ban hành")),
                ("issued_by", models.CharField(blank=True, max_length=300, verbose_name="nơi ban hành")),
                ("note", models.TextField(blank=True, verbose_name="ghi chú")),
                ("link", models.URLField(blank=True, max_length=1000, verbose_name="đường dẫn")),
                ("valid_until", models.DateField(blank=True, null=True, verbose_name="hiệu lực đến")),
                ("search_text", models.TextField(blank=True, editable=False)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "cycle",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="selfassessment.cycle",
                    ),
                ),
                (
                    "evidence",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="versions", to="evidence.evidence"
                    ),
                ),
            ],
            options={
                "verbose_name": "phiên bản minh chứng",
                "verbose_name_plural": "phiên bản minh chứng",
                "ordering": ["evidence_id", "number"],
                "constraints": [
                    models.UniqueConstraint(fields=("evidence", "number"), name="evidence_version_unique_number")
                ],
            },
        ),
        migrations.AddField(
            model_name="cycleevidence",
            name="version",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cycle_links",
                to="evidence.evidenceversion",
            ),
        ),
        migrations.AddField(
            model_name="evidencefile",
            name="version",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.CASCADE, related_name="files", to="evidence.evidenceversion"
            ),
        ),
        migrations.AlterField(
            model_name="evidencefile",
            name="evidence",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.CASCADE, related_name="files", to="evidence.evidence"
            ),
        ),
        migrations.RunPython(to_versions, from_versions),
        migrations.AlterField(
            model_name="cycleevidence",
            name="version",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="cycle_links", to="evidence.evidenceversion"
            ),
        ),
        migrations.AlterField(
            model_name="evidencefile",
            name="version",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="files", to="evidence.evidenceversion"
            ),
        ),
        migrations.RemoveField(model_name="evidencefile", name="evidence"),
        *[migrations.RemoveField(model_name="evidence", name=f) for f in FIELDS],
    ]
