"""The demo's set-up in one process (scripts/setup.sh): each step is skipped when there is nothing to do, so that a
second `make demo` over an unchanged demo only checks (one Django start-up instead of five)."""
import hashlib
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from ....authorities.services import create_demo_users
from ....reports.selectors import get_edition
from ...selectors import current_pdf
from ...services import run_synchronously


class Command(BaseCommand):
    help = ("Set up the demo: migrate (when something is unapplied), import the sample (when not loaded), create the "
            "missing demo users (existing ones keep their roles), render the PDF (when the current content has none) "
            "and copy it to --out. Prints one line per step.")

    def add_arguments(self, parser):
        parser.add_argument("--zone", required=True)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--sample", type=Path, required=True, help="the interchange JSON to import when missing")
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args, zone, year, sample, out, **options):
        say = self.stdout.write
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            call_command("migrate", interactive=False, verbosity=0)
            say(f"Migrations applied: {len(plan)}.")
        else:
            say("Database schema up to date.")

        edition = get_edition(zone, year)
        if edition is None:
            call_command("import_report", str(sample), stdout=self.stdout)
            edition = get_edition(zone, year)
            if edition is None:
                raise CommandError(f"{sample} did not load zone={zone} year={year}")
        else:
            say(f"Sample already loaded ({zone} {year}).")

        users = create_demo_users([c.authority for c in edition.coauthors.select_related("authority")],
                                  edition.coordinator)
        made = [u.username for u, created in users if created]
        say(f"Demo users: {len(made)} created ({', '.join(made) or 'none'}), {len(users) - len(made)} kept as they are.")

        artefact = current_pdf(edition)
        if artefact is None:
            run = run_synchronously(edition)
            if run.artefact is None:
                raise CommandError(f"PDFを作成しませんでした: {run.failure}")
            artefact, verb = run.artefact, "rendered"
        else:
            verb = "already rendered for this content"
        data = None
        if not (out.is_file() and hashlib.sha256(out.read_bytes()).hexdigest() == artefact.sha256):
            data = artefact.read_bytes()
            out.parent.mkdir(parents=True, exist_ok=True)
            partial = out.with_name(out.name + ".partial")
            partial.write_bytes(data)
            partial.replace(out)
        say(f"PDF {out}: {artefact.pages} pages, {artefact.size:,} bytes, {verb}"
            f"{'' if data is None else '; copied'}; content hash {artefact.content_hash[:12]}.")
