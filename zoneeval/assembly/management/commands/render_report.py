from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ....reports.selectors import get_edition
from ...services import run_synchronously


class Command(BaseCommand):
    help = "Assemble, validate and render an edition synchronously (the pipeline's own code) and copy the PDF to --out."

    def add_arguments(self, parser):
        parser.add_argument("--zone", required=True)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args, zone, year, out, **options):
        edition = get_edition(zone, year)
        if edition is None:
            raise CommandError(f"評価書がありません: zone={zone} year={year}")
        run = run_synchronously(edition)
        if run.artefact is None:
            raise CommandError(f"PDFを作成しませんでした: {run.failure}")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(run.artefact.read_bytes())
        verb = "rendered" if run.rendered_now else "reused (same content hash)"
        self.stdout.write(f"{out}: {run.artefact.pages} pages, {run.artefact.size:,} bytes, {verb}; "
                          f"content hash {run.snapshot.content_hash[:12]}; timings {run.timings}")
        for finding in run.findings:
            self.stdout.write(f"  [{finding['severity']}] {finding['message']}")
