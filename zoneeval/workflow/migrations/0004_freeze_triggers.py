"""Frozen editions and the append-only audit log, in the database (PostgreSQL and SQLite): workflow/frozen_sql.py.

The triggers are generated from the models' declaration (``EDITION_PATH``) and made again after every migrate
(workflow/freeze.py, post_migrate), so that they follow the models. On SQLite they are made only after the whole
migration run: SQLite rebuilds tables to alter them and refuses while a trigger names a table that is gone."""
from django.db import migrations


def forwards(apps, schema_editor):
    from zoneeval.workflow.frozen_sql import install

    if schema_editor.connection.vendor == "postgresql":
        install(schema_editor.connection)


def backwards(apps, schema_editor):
    from zoneeval.workflow.frozen_sql import uninstall
    from zoneeval.workflow.migrations_sql import APPEND_ONLY

    uninstall(schema_editor.connection)
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(APPEND_ONLY)  # migration 0002's trigger


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0003_audit_authority"),
        ("reports", "0007_freeze_printed_zone_and_coauthors"),
        ("drafting", "0001_initial"),
        ("assembly", "0002_run_snapshot_cascade"),
    ]
    operations = [
        migrations.AlterModelOptions(
            name="auditentry",
            options={"base_manager_name": "objects", "ordering": ["created_at", "pk"], "verbose_name": "監査ログ",
                     "verbose_name_plural": "監査ログ"},
        ),
        migrations.RunPython(forwards, backwards),
    ]
