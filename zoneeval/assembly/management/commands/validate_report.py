import json
import sys

from django.core.management.base import BaseCommand, CommandError

from ....reports.interchange.export import edition_snapshot
from ....reports.selectors import get_edition
from ...validations import ERROR, SEVERITY_LABELS, validate


class Command(BaseCommand):
    help = "Run the validation rule catalogue on an edition; exit status 1 when there is an error."

    def add_arguments(self, parser):
        parser.add_argument("--zone", required=True)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--json", action="store_true", help="print the findings as JSON")

    def handle(self, *args, zone, year, json: bool, **options):
        edition = get_edition(zone, year)
        if edition is None:
            raise CommandError(f"評価書がありません: zone={zone} year={year}")
        findings = validate(edition_snapshot(edition))
        errors = sum(1 for f in findings if f.severity == ERROR)
        if json:
            self.stdout.write(_dumps({"zone": zone, "fiscal_year": year, "errors": errors,
                                      "warnings": len(findings) - errors,
                                      "findings": [f.as_dict() for f in findings]}))
        else:
            for f in findings:
                mark = SEVERITY_LABELS.get(f.severity, f.severity)
                self.stdout.write(f"[{mark}] {f.message}\n        {f.part} {f.item} (#{f.anchor})")
            self.stdout.write(f"エラー {errors} 件、警告 {len(findings) - errors} 件")
        if errors:
            sys.exit(1)


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
