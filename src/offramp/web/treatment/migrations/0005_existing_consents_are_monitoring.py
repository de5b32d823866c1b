"""Consents recorded before consent kinds existed are monitoring consents (42 CFR 2.35).

They stay what they were: a disclosure to monitor progress in diversion. A purpose "charging decision" one of
them lists is kept as signed (the ledger is append-only), but core `decide_access` no longer lets a
monitoring consent cover the charging decision: using the records for it needs the person's own charging-use
consent (§2.32(a)(1) statement 1) or a court order (§2.65). `update()` writes the column without calling the
ledger's `save()`, which refuses to edit a stored row.
"""

from django.db import migrations


def to_monitoring(apps, schema_editor):  # type: ignore[no-untyped-def]
    ConsentRecord = apps.get_model("treatment", "ConsentRecord")
    ConsentRecord.objects.exclude(kind="monitoring").update(kind="monitoring")


class Migration(migrations.Migration):
    dependencies = [("treatment", "0004_consent_kinds")]

    operations = [migrations.RunPython(to_monitoring, migrations.RunPython.noop)]
