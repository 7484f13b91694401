import json

from django.core.management.base import BaseCommand, CommandError

from ...interchange.checks import schema
from ...interchange.export import export_document, to_json
from ...selectors import get_edition


class Command(BaseCommand):
    help = ("Print an edition as interchange JSON (with a read-only 'derived' block and, when recorded, its "
            "national evaluation), or the JSON Schema.")

    def add_arguments(self, parser):
        parser.add_argument("--schema", action="store_true", help="print the JSON Schema and exit")
        parser.add_argument("--zone", help="zone slug")
        parser.add_argument("--year", type=int, help="fiscal year, e.g. 2019")
        parser.add_argument("--no-derived", action="store_true", help="leave out the derived block")

    def handle(self, *args, **options):
        if options["schema"]:
            self.stdout.write(json.dumps(schema(), ensure_ascii=False, indent=2))
            return
        if not options["zone"] or not options["year"]:
            raise CommandError("--zone and --year are required (or --schema)")
        edition = get_edition(options["zone"], options["year"])
        if edition is None:
            raise CommandError(f"評価書がありません: zone={options['zone']} year={options['year']}")
        snapshot = export_document(edition, with_derived=not options["no_derived"])
        self.stdout.write(to_json(snapshot))

