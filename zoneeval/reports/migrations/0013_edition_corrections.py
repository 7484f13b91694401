"""Corrections after submission (訂正版): an edition's revision number and the edition it supersedes.

The model's constraints keep the editions of a (zone, year) one chain (one original, each edition superseded at most
once), so exactly one of them is current. On PostgreSQL a composite foreign key also keeps the superseded edition of
the same zone and year."""
import django.db.models.deletion
from django.db import migrations, models

SAME_YEAR = """
ALTER TABLE reports_edition ADD CONSTRAINT reports_edition_id_zone_year UNIQUE (id, zone_id, fiscal_year);
ALTER TABLE reports_edition ADD CONSTRAINT reports_edition_supersedes_same_zone_year
  FOREIGN KEY (supersedes_id, zone_id, fiscal_year) REFERENCES reports_edition (id, zone_id, fiscal_year);
"""
DROP_SAME_YEAR = """
ALTER TABLE reports_edition DROP CONSTRAINT IF EXISTS reports_edition_supersedes_same_zone_year;
ALTER TABLE reports_edition DROP CONSTRAINT IF EXISTS reports_edition_id_zone_year;
"""


def _postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ('authorities', '0002_bounds_field_limits'),
        ('reports', '0012_edition_annex1_charts'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='edition',
            name='unique_edition_per_zone_year',
        ),
        migrations.AddField(
            model_name='edition',
            name='revision',
            field=models.PositiveIntegerField(default=0, verbose_name='訂正の番号'),
        ),
        migrations.AddField(
            model_name='edition',
            name='supersedes',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='superseded_by', to='reports.edition', verbose_name='訂正前の版'),
        ),
        migrations.AddConstraint(
            model_name='edition',
            constraint=models.UniqueConstraint(condition=models.Q(('supersedes__isnull', True)), fields=('zone', 'fiscal_year'), name='unique_original_edition_per_zone_year'),
        ),
        migrations.AddConstraint(
            model_name='edition',
            constraint=models.UniqueConstraint(fields=('zone', 'fiscal_year', 'revision'), name='unique_edition_revision'),
        ),
        migrations.AddConstraint(
            model_name='edition',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('revision', 0), ('supersedes__isnull', True)), models.Q(('revision__gt', 0), ('supersedes__isnull', False)), _connector='OR'), name='edition_revision_matches_supersedes'),
        ),
        migrations.RunPython(_postgresql(SAME_YEAR), _postgresql(DROP_SAME_YEAR)),
    ]
