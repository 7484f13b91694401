from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ....authorities.models import Authority
from ...workbook import layout
from ...workbook.selectors import edition_for_command
from ...workbook.xlsx import write


class Command(BaseCommand):
    help = ("Write the workbook (Excel .xlsx) of an edition's figures: 別紙1 year tables, 別紙3 amounts and counts, the "
            "part-5 counts; computed cells grey and locked. With --authority only that co-author's cells are open.")

    def add_arguments(self, parser):
        parser.add_argument("--zone", required=True, help="zone slug")
        parser.add_argument("--year", type=int, required=True, help="fiscal year, e.g. 2019")
        parser.add_argument("--out", required=True, help="the .xlsx file to write")
        parser.add_argument("--authority", help="slug of the co-author whose cells are open to typing")

    def handle(self, *args, **options):
        edition = edition_for_command(options["zone"], options["year"])
        if edition is None:
            raise CommandError(f"評価書がありません: zone={options['zone']} year={options['year']}")
        authority = None
        if options["authority"]:
            authority = Authority.objects.filter(slug=options["authority"],
                                                 coauthorships__edition=edition).first()
            if authority is None:
                raise CommandError(f"この評価書の作成主体ではありません: {options['authority']}")
        data = write(layout.build(edition), authority.pk if authority else None)
        Path(options["out"]).write_bytes(data)
        self.stdout.write(f"{options['out']}: {len(data):,} bytes")
